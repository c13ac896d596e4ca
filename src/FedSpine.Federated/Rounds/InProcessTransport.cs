// The in-process transport: simulated devices in this process, a round's devices trained in parallel on the worker pool
// (each device single-threaded inside; results do not depend on the order devices finish).
using FedSpine.Tensors;

namespace FedSpine.Federated.Rounds;

public sealed class InProcessTransport : IDeviceTransport
{
    private readonly IReadOnlyDictionary<int, SimulatedDevice> _devices;

    public InProcessTransport(IEnumerable<SimulatedDevice> devices)
    {
        _devices = devices.ToDictionary(d => d.Runtime.Id);
    }

    public IReadOnlyList<DeviceReport?> Exchange(IReadOnlyList<RoundTask> tasks)
    {
        var reports = new DeviceReport?[tasks.Count];
        WorkerPool.For(tasks.Count, i => reports[i] = _devices[tasks[i].DeviceId].Run(tasks[i]));
        return reports;
    }

    public void Dropped(int deviceId, int round, string reason) => _devices[deviceId].Notices.Add((round, reason));
}
