// Everything a prune-and-tune run is configured by: schedule, LoRA shape, AdamW, clipping, where to prune, importance
// smoothing, the training block size and the seed (same settings and seed, same run).
using FedSpine.Model.Lora;
using FedSpine.Tensors;

namespace FedSpine.Pruning;

public sealed record PruneAndTuneSettings
{
    public required IPruningSchedule Schedule { get; init; }

    /// <summary>Modules that get a fresh adapter (ignored when the caller passes its own adapters).</summary>
    public IReadOnlyCollection<LoraTarget> Targets { get; init; } = LoraTargets.All;
    public int Rank { get; init; } = 8;
    public float Alpha { get; init; } = 16;

    public AdamWSettings Optimizer { get; init; } = new(LearningRate: 1e-3f, WeightDecay: 0f);

    /// <summary>Global gradient-norm clip; ≤ 0 turns clipping off.</summary>
    public double MaxGradientNorm { get; init; } = 1.0;

    public PruningOptions Pruning { get; init; } = new();

    /// <summary>Weight of the old value in the importance moving average (0.9 old / 0.1 new).</summary>
    public double ImportanceDecay { get; init; } = 0.9;

    /// <summary>Rows and tokens per row of the training graph.</summary>
    public int Batch { get; init; } = 8;
    public int Tokens { get; init; } = 64;

    /// <summary>Seeds the adapters' initialisation and then the task's batch draws.</summary>
    public ulong Seed { get; init; } = 1;

    public void Validate()
    {
        if (Targets.Count == 0)
        {
            throw new ArgumentException("no LoRA target modules given (expected some of q, k, v, o, gate, up, down)");
        }
        if (Rank < 1)
        {
            throw new ArgumentException($"LoRA rank must be at least 1 (got {Rank})");
        }
        if (!float.IsFinite(Alpha) || Alpha <= 0)
        {
            throw new ArgumentException($"LoRA alpha must be positive (got {Alpha})");
        }
        if (Batch < 1 || Tokens < 1)
        {
            throw new ArgumentException($"batch ({Batch}) and tokens per row ({Tokens}) must be at least 1");
        }
    }
}
