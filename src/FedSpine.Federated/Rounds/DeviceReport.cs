// What a device uploads after its round: its LoRA factors and head in its (new) pruned coordinates, the kept-unit mask,
// sample count, local losses and accuracy, and its observed times. The server validates every field before use.
using FedSpine.Pruning;

namespace FedSpine.Federated.Rounds;

/// <param name="LossBefore">Mean loss on the device's local test examples with the received LoRA, before pruning.</param>
/// <param name="LossAfter">The same after pruning and local training.</param>
/// <param name="LocalAccuracy">Accuracy on the local test examples after training.</param>
/// <param name="ComputeFlops">Analytic FLOPs of the round's local work (training steps and the two evaluations).</param>
/// <param name="ComputeSeconds">Observed local compute time (simulated devices: FLOPs / profile speed × fluctuation).</param>
/// <param name="DownloadSeconds">Observed time to receive the task.</param>
/// <param name="UploadSeconds">Observed time to send this report.</param>
/// <param name="WallSeconds">Real seconds this machine spent on the round's compute (informational).</param>
public sealed record DeviceReport(
    string RunId, int Round, int DeviceId, PruningMask Mask, IReadOnlyList<ModuleFactors> Factors, float[] HeadWeight, float[] HeadBias,
    int SampleCount, double LossBefore, double LossAfter, double TrainLoss, double LocalAccuracy, int LocalTestCount,
    double ComputeFlops, double ComputeSeconds, double DownloadSeconds, double UploadSeconds, double WallSeconds)
{
    public double TotalSeconds => DownloadSeconds + ComputeSeconds + UploadSeconds;
}
