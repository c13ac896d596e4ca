// How every device trains locally in a run (the server only chooses rank, pruning and steps): batch shape, optimizer,
// clipping, importance estimator and smoothing, pruning options, the adapter plan and the head's pooling.
using FedSpine.Model.Tasks;
using FedSpine.Pruning;

namespace FedSpine.Federated.Rounds;

public sealed record LocalTrainingSettings
{
    public int Batch { get; init; } = 8;

    /// <summary>Tokens per example row (examples are cut to this length).</summary>
    public int Tokens { get; init; } = 64;
    public float WeightDecay { get; init; }

    /// <summary>AdamW ε. A large ε (about the size of typical gradient entries) makes Adam behave like momentum SGD on
    /// small gradients, so a device that already fits its data takes small steps instead of full lr-sized ones.</summary>
    public float AdamEpsilon { get; init; } = 1e-8f;
    public double MaxGradientNorm { get; init; } = 1.0;
    public string Importance { get; init; } = "lora";
    public double ImportanceDecay { get; init; } = 0.9;
    public PruningOptions Pruning { get; init; } = new();
    /// <summary>Which modules carry adapters and the alpha of each rank.</summary>
    public AdapterPlan Adapter { get; init; } = AdapterPlan.Default;
    public Pooling Pooling { get; init; } = Pooling.Mean;

    /// <summary>Logit adjustment on non-IID devices: training adds τ·log(local class prior) to the logits (add-½
    /// smoothed counts), so a device whose data is mostly one class does not drag the shared head toward that class
    /// (Menon et al. 2021; FedLC). 0 turns it off.</summary>
    public double LogitAdjustment { get; init; } = 1.0;

    /// <summary>Local test examples a device evaluates before and after training (loss for the reward, local accuracy).</summary>
    public int LocalEvalLimit { get; init; } = 64;
}
