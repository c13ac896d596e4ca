// How `fedspine device` runs: the server to reach and its own identity, its local model and private data, an optional
// device profile (simulated times exactly as the simulator computes them, with sleeping to imitate slower hardware), the
// state file, and the retry budget while the server is away.
namespace FedSpine.Deploy.Agent;

public sealed record AgentOptions
{
    public required Uri Server { get; init; }
    public required int Id { get; init; }
    public required string Token { get; init; }
    public required string Model { get; init; }
    public string? Tokenizer { get; init; }
    public required string Data { get; init; }

    /// <summary>tx2, nx, agx or phone: report the profile's simulated times (as SimulatedDevice does) instead of measured ones.</summary>
    public string? Profile { get; init; }

    /// <summary>With a profile, sleep until the simulated round time has passed in real time (imitates slower hardware).</summary>
    public bool Throttle { get; init; } = true;

    /// <summary>Where the device keeps its mask and importance between rounds (default: device-ID.state.json beside the data).</summary>
    public string? StatePath { get; init; }

    /// <summary>Give up when the server has been unreachable this long.</summary>
    public TimeSpan GiveUp { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Long-poll length of each task request.</summary>
    public TimeSpan PollWait { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>For https with a self-signed server certificate: trust exactly this certificate (PEM or DER file).</summary>
    public string? TrustCertificatePath { get; init; }

    public string EffectiveStatePath => StatePath ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(Data)) ?? ".", $"device-{Id}.state.json");
}
