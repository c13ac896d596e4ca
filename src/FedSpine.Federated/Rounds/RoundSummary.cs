// What one round came to: its simulated length and the clock after it, devices accepted, the mean local accuracy of all
// devices so far (test-count weighted, latest value per device; NaN when the round used no upload), mean sparsity, bytes
// moved, the relative change of the global state, and why the round was rolled back (null when it was not).
namespace FedSpine.Federated.Rounds;

public sealed record RoundSummary(int Round, double RoundSeconds, double SimTimeSeconds, int Accepted, int Selected,
    double Accuracy, double MeanSparsity, long BytesSent, double CompletionSpread, IReadOnlyList<DeviceRoundRecord> Devices)
{
    /// <summary>||new − old|| / ||old|| of the global state this round (0 when nothing was aggregated).</summary>
    public double GlobalChange { get; init; }

    /// <summary>Why the round's aggregate was discarded (the global state is what it was before the round), naming the
    /// devices in it; null when it was kept.</summary>
    public string? RolledBack { get; init; }
}
