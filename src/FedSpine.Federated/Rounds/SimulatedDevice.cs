// A device of the heterogeneity simulator: real local training (DeviceRuntime) with simulated time: a seeded per-round
// draw decides dropout and speed fluctuation, and the profile turns FLOPs and message bytes into observed seconds.
using FedSpine.Federated.Devices;
using FedSpine.Tensors;

namespace FedSpine.Federated.Rounds;

public sealed class SimulatedDevice
{
    private readonly ulong _seed;

    public SimulatedDevice(DeviceRuntime runtime, DeviceProfile profile, ulong seed)
    {
        Runtime = runtime;
        Profile = profile;
        _seed = seed;
    }

    public DeviceRuntime Runtime { get; }
    public DeviceProfile Profile { get; }

    /// <summary>Robustness experiments: this device is hostile and its uploads are attacked (null: honest).</summary>
    public UploadAttack? Attack { get; init; }

    /// <summary>Messages the device was sent about dropped uploads (round, reason).</summary>
    public List<(int Round, string Reason)> Notices { get; } = [];

    /// <summary>The round's report with simulated times, or null when the device drops out this round or refuses a task
    /// holding non-finite values (noted in Notices).</summary>
    public DeviceReport? Run(RoundTask task)
    {
        var rng = new Rng(_seed * 0xD1B54A32D192ED03UL + (ulong)task.Round * 0x94D049BB133111EBUL + (ulong)Runtime.Id + 1);
        bool dropsOut = DeviceTiming.DrawDropout(Profile, rng);
        double fluctuation = DeviceTiming.DrawFluctuation(Profile, rng);
        if (dropsOut)
        {
            return null;
        }
        if (TaskCheck.NonFinite(task) is string poisoned)
        {
            Notices.Add((task.Round, poisoned));   // refuses the task: no answer this round
            return null;
        }
        var report = Runtime.Run(task);
        var time = DeviceTiming.Time(Profile, report.ComputeFlops, MessageSize.Of(task), MessageSize.Of(report), fluctuation);
        report = report with { ComputeSeconds = time.ComputeSeconds, DownloadSeconds = time.DownloadSeconds, UploadSeconds = time.UploadSeconds };
        return Attack is null ? report : Attack.Apply(report);
    }
}
