// The round engine's settings: how many rounds and local steps, the learning rate, the shared final sparsity S* and
// the round by which it must be reached, participation, deadline, reward weights, server momentum, the memory model's
// shapes, and the upload bounds and roll-back rule that keep one device from poisoning the global state.
using FedSpine.Pruning;

namespace FedSpine.Federated.Rounds;

public sealed record ServerSettings
{
    public string RunId { get; init; } = "run";
    public int Rounds { get; init; } = 20;
    public int LocalSteps { get; init; } = 20;
    public float LearningRate { get; init; } = 2e-3f;

    /// <summary>"constant": LearningRate every round; "cosine": LearningRate at round 0 down to MinLearningRate at the last
    /// round along a half cosine (LearningRateAt).</summary>
    public string LearningRateSchedule { get; init; } = "constant";
    public float MinLearningRate { get; init; } = 2e-4f;

    /// <summary>The local learning rate of round r (1-based) sent with the round's tasks.</summary>
    public float LearningRateAt(int round) => LearningRateSchedule == "cosine"
        ? FedSpine.Model.Pretraining.LearningRateSchedule.At(Math.Clamp(round, 1, Rounds), Rounds, 0, LearningRate, MinLearningRate)
        : LearningRate;

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

    /// <summary>Per-device sparsity mode: each device's target bandit picks its own final sparsity in [S*−spread, S*+spread]
    /// and the server holds the fleet's mean at S* (FleetSparsityTargets); false = every device ends at S*.</summary>
    public bool PerDeviceSparsity { get; init; }
    public double SparsitySpread { get; init; } = 0.2;

    /// <summary>Exploration and discount of the per-device target bandits.</summary>
    public Bandits.BanditSettings TargetBandit { get; init; } = new();

    /// <summary>The reward's update term: "adapter" = ||(α/r)·B·A|| of the upload (what the device holds), "change" =
    /// ||(α/r)·(B'A' − BA)||, this round's change against the global LoRA it was sent.</summary>
    public string NormTerm { get; init; } = "adapter";

    /// <summary>The reward's progress term: "ratio" = s_i / S*_i (pays for pruning early), "pace" = 1 − |s_i − s_pace| / S*_i
    /// (pays for keeping to the schedule that reaches S*_i at PruneEndRound, ahead or behind alike).</summary>
    public string ProgressTerm { get; init; } = "ratio";
    public PruningOptions Pruning { get; init; } = new();

    /// <summary>β of server momentum (FedAvgM) on the global LoRA and head; 0 = plain aggregation.</summary>
    public double ServerMomentum { get; init; }

    /// <summary>UploadBounds: an upload whose change against what it was sent is larger than ClipMultiple × the round's
    /// median change norm is moved back onto that bound; 0 = no clipping.</summary>
    public double ClipMultiple { get; init; } = 4;

    /// <summary>UploadBounds: a device's weight is capped at its known count (KnownSampleCounts), else at WeightCapMultiple ×
    /// the round's median claimed sample count; 0 = no cap at all (claims are trusted).</summary>
    public double WeightCapMultiple { get; init; } = 3;

    /// <summary>Training-set size of each device (by id) as the server knows it (the run's partition); a device's weight is
    /// then at most its known count, whatever it claims. Null = unknown.</summary>
    public IReadOnlyList<int>? KnownSampleCounts { get; init; }

    /// <summary>A round whose aggregate leaves any non-finite value, or moves the global state by more than this share of
    /// its norm (||new − old|| / ||old||), is rolled back; 0 = only the finiteness check.</summary>
    public double MaxGlobalChange { get; init; } = 1.0;
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
        Require(FinalSparsity >= 0 && FinalSparsity < 1, "sparsity", $"must be in [0, 1) (got {FinalSparsity})");
        Require(PruneEndRound >= 1, "prune_end_round", $"must be at least 1 (got {PruneEndRound})");
        Require(Fraction > 0 && Fraction <= 1, "fraction", $"must be in (0, 1] (got {Fraction})");
        Require(MinDevices >= 1, "min_devices", $"must be at least 1 (got {MinDevices})");
        Require(DeadlineSeconds is null || DeadlineSeconds > 0, "deadline_s", $"must be positive (got {DeadlineSeconds})");
        Require(SparsitySpread >= 0 && SparsitySpread < 1, "sparsity_spread", $"must be in [0, 1) (got {SparsitySpread})");
        Require(NormTerm is "adapter" or "change", "reward_norm_term", $"must be adapter or change (got '{NormTerm}')");
        Require(ProgressTerm is "ratio" or "pace", "reward_progress_term", $"must be ratio or pace (got '{ProgressTerm}')");
        Require(LearningRateSchedule is "constant" or "cosine", "lr_schedule", $"must be constant or cosine (got '{LearningRateSchedule}')");
        Require(LearningRateSchedule == "constant" || (float.IsFinite(MinLearningRate) && MinLearningRate > 0 && MinLearningRate <= LearningRate), "min_lr", $"must be positive and at most lr (got {MinLearningRate})");
        Require(ServerMomentum >= 0 && ServerMomentum < 1, "server_momentum", $"must be in [0, 1) (got {ServerMomentum})");

        Require(ClipMultiple == 0 || (ClipMultiple >= 1 && double.IsFinite(ClipMultiple)), "clip_multiple", $"must be 0 (off) or at least 1 (got {ClipMultiple})");
        Require(WeightCapMultiple == 0 || (WeightCapMultiple >= 1 && double.IsFinite(WeightCapMultiple)), "weight_cap_multiple", $"must be 0 (off) or at least 1 (got {WeightCapMultiple})");
        Require(MaxGlobalChange >= 0 && double.IsFinite(MaxGlobalChange), "max_global_change", $"must be finite and >= 0 (got {MaxGlobalChange})");
        Require(KnownSampleCounts is null || KnownSampleCounts.All(c => c >= 1), "known sample counts", "every device needs at least 1 example");
        Rewards.Validate();
    }
}
