// How the server reaches its devices: hand each selected device its round task and collect the reports (null where a
// device did not answer), then tell dropped devices why. In-process here; HTTP between machines elsewhere.
namespace FedSpine.Federated.Rounds;

public interface IDeviceTransport
{
    /// <summary>Runs one round: tasks go out, reports come back in the same order (null: no answer).</summary>
    IReadOnlyList<DeviceReport?> Exchange(IReadOnlyList<RoundTask> tasks);

    /// <summary>Tells a device its upload of this round was not used (late, invalid) and why.</summary>
    void Dropped(int deviceId, int round, string reason);
}
