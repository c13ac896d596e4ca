// What one round came to: its simulated length and the clock after it, devices accepted, the mean local accuracy of all
// devices so far (test-count weighted, latest value per device), mean sparsity, and bytes moved.
namespace FedSpine.Federated.Rounds;

public sealed record RoundSummary(int Round, double RoundSeconds, double SimTimeSeconds, int Accepted, int Selected,
    double Accuracy, double MeanSparsity, long BytesSent, double CompletionSpread, IReadOnlyList<DeviceRoundRecord> Devices);
