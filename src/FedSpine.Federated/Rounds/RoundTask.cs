// What the server sends a device for one round: the arm it plays, the sparsity to reach, how long to train, its slice
// of the global LoRA (at the device's current kept units and the arm's rank) and the shared classification head.
using FedSpine.Federated.Bandits;
using FedSpine.Pruning;

namespace FedSpine.Federated.Rounds;

/// <param name="Mask">The device's kept units as the server last accepted them; the factors are in these coordinates and the
/// device restores this mask first if its own differs (an upload the server rejected).</param>
/// <param name="Arm">The bandit's choice (pruning step, rank).</param>
/// <param name="Sparsity">Pruning ratio the device must reach this round (its current one when nothing is to be pruned).</param>
/// <param name="FinalSparsity">S*, the ratio every pruning method ends at (plans the GQA structure).</param>
/// <param name="Alpha">LoRA alpha of the factors: the device applies (Alpha/Arm.Rank)·B·A.</param>
/// <param name="HeadWeight">[classes, hidden] classification head weight.</param>
/// <param name="HeadBias">[classes] classification head bias.</param>
/// <param name="DeadlineSeconds">Round deadline in (simulated) seconds from the round start; null = none.</param>
public sealed record RoundTask(
    string RunId, int Round, int DeviceId, PruningMask Mask, Arm Arm, double Sparsity, double FinalSparsity, int LocalSteps, float LearningRate,
    float Alpha, IReadOnlyList<ModuleFactors> Factors, float[] HeadWeight, float[] HeadBias, double? DeadlineSeconds);
