// How every device trains locally in a run (the server only chooses rank, pruning and steps): batch shape, optimizer,
// clipping, importance estimator and smoothing, pruning options, LoRA targets and the head's pooling.
using FedSpine.Model.Lora;
using FedSpine.Model.Tasks;
using FedSpine.Pruning;

namespace FedSpine.Federated.Rounds;

public sealed record LocalTrainingSettings
{
    public int Batch { get; init; } = 8;

    /// <summary>Tokens per example row (examples are cut to this length).</summary>
    public int Tokens { get; init; } = 64;
    public float WeightDecay { get; init; }
    public double MaxGradientNorm { get; init; } = 1.0;
    public string Importance { get; init; } = "lora";
    public double ImportanceDecay { get; init; } = 0.9;
    public PruningOptions Pruning { get; init; } = new();
    public IReadOnlyCollection<LoraTarget> Targets { get; init; } = LoraTargets.All;
    public Pooling Pooling { get; init; } = Pooling.Mean;

    /// <summary>Local test examples a device evaluates before and after training (loss for the reward, local accuracy).</summary>
    public int LocalEvalLimit { get; init; } = 64;
}
