// The round engine's settings: how many rounds and local steps, LoRA scale and learning rate, the shared final sparsity
// S* and the round by which it must be reached, participation, deadline, reward weights and the memory model's shapes.
using FedSpine.Pruning;

namespace FedSpine.Federated.Rounds;

public sealed record ServerSettings
{
    public string RunId { get; init; } = "run";
    public int Rounds { get; init; } = 20;
    public int LocalSteps { get; init; } = 20;
    public float LearningRate { get; init; } = 2e-3f;

    /// <summary>Devices use alpha = LoraScale·rank, so every rank applies B·A with the same scale.</summary>
    public float LoraScale { get; init; } = 2f;

    /// <summary>S*: every pruning device ends here; 0 for methods that do not prune.</summary>
    public double FinalSparsity { get; init; }

    /// <summary>The round by which S* is reached (later rounds only recover).</summary>
    public int PruneEndRound { get; init; } = 16;

    /// <summary>Share of devices selected each round, with at least MinDevices.</summary>
    public double Fraction { get; init; } = 1.0;
    public int MinDevices { get; init; } = 1;

    /// <summary>Uploads whose device took longer (simulated seconds) are dropped from the round; null = no deadline.</summary>
    public double? DeadlineSeconds { get; init; }
    public RewardWeights Rewards { get; init; } = new();
    public PruningOptions Pruning { get; init; } = new();
    public ulong Seed { get; init; } = 1;

    public void Validate()
    {
        void Require(bool ok, string key, string what)
        {
            if (!ok)
            {
                throw new ArgumentException($"{key}: {what}");
            }
        }
        Require(Rounds >= 1, "rounds", $"must be at least 1 (got {Rounds})");
        Require(LocalSteps >= 1, "local_steps", $"must be at least 1 (got {LocalSteps})");
        Require(float.IsFinite(LearningRate) && LearningRate > 0, "lr", $"must be positive (got {LearningRate})");
        Require(float.IsFinite(LoraScale) && LoraScale > 0, "lora_scale", $"must be positive (got {LoraScale})");
        Require(FinalSparsity >= 0 && FinalSparsity < 1, "sparsity", $"must be in [0, 1) (got {FinalSparsity})");
        Require(PruneEndRound >= 1, "prune_end_round", $"must be at least 1 (got {PruneEndRound})");
        Require(Fraction > 0 && Fraction <= 1, "fraction", $"must be in (0, 1] (got {Fraction})");
        Require(MinDevices >= 1, "min_devices", $"must be at least 1 (got {MinDevices})");
        Require(DeadlineSeconds is null || DeadlineSeconds > 0, "deadline_s", $"must be positive (got {DeadlineSeconds})");
        Rewards.Validate();
    }
}
