// Checks a run config before any work and names the offending key: ranges, known method/bandit/aggregator/estimator
// names, a parsable device mix and partition, consistent ranks.
using FedSpine.Federated.Data;
using FedSpine.Federated.Devices;
using FedSpine.Federated.Bandits;
using FedSpine.Pruning;

namespace FedSpine.Federated.Runs;

public static class RunConfigValidator
{
    public static void Validate(RunConfig c)
    {
        void Require(bool ok, string key, string what)
        {
            if (!ok)
            {
                throw new ArgumentException($"{key}: {what}");
            }
        }
        Require(!string.IsNullOrWhiteSpace(c.Model), "model", "a model path is required");
        Require(c.Task is "spam" or "sentiment" or "classify" or FederatedInstructData.TaskName, "task", $"unknown task '{c.Task}' (expected spam, sentiment, classify or instruct)");
        Require(c.Rounds >= 1, "rounds", $"must be at least 1 (got {c.Rounds})");
        Require(c.LocalSteps >= 1, "local_steps", $"must be at least 1 (got {c.LocalSteps})");
        Require(c.Sparsity >= 0 && c.Sparsity < 1, "sparsity", $"must be in [0, 1) (got {c.Sparsity})");
        Require(c.Methods is { Count: > 0 }, "methods", "at least one method is required");
        foreach (string m in c.Methods)
        {
            Require(MethodCatalog.Names.Contains(m), "methods", $"unknown method '{m}' (expected {string.Join(", ", MethodCatalog.Names)})");
        }
        Require(c.Methods.Distinct().Count() == c.Methods.Count, "methods", "a method is listed twice");
        Require(c.Batch >= 1, "batch", $"must be at least 1 (got {c.Batch})");
        Require(c.MaxTokens is null or >= 2, "max_tokens", $"must be at least 2 (got {c.MaxTokens})");
        Require(float.IsFinite(c.LearningRate) && c.LearningRate > 0, "lr", $"must be positive (got {c.LearningRate})");
        Require(float.IsFinite(c.LoraScale) && c.LoraScale > 0, "lora_scale", $"must be positive (got {c.LoraScale})");
        Require(c.Ranks is { Count: > 0 } && c.Ranks.All(r => r >= 1) && c.Ranks.Zip(c.Ranks.Skip(1)).All(p => p.Second > p.First),
            "ranks", "must be positive and strictly ascending");
        Require(c.FixedRank >= 1 && c.FixedRank <= c.Ranks.Max(), "fixed_rank", $"must be in 1..{c.Ranks.Max()} (the largest of ranks; got {c.FixedRank})");
        Require(c.MinStep >= 0 && c.MaxStep >= c.MinStep && c.MaxStep < 1, "max_step", $"need 0 <= min_step <= max_step < 1 (got {c.MinStep}..{c.MaxStep})");
        Require(c.GridSteps >= 2, "grid_steps", $"must be at least 2 (got {c.GridSteps})");
        Require(c.PruneEnd > 0 && c.PruneEnd <= 1, "prune_end", $"must be in (0, 1] (got {c.PruneEnd})");
        Require(c.Fraction > 0 && c.Fraction <= 1, "fraction", $"must be in (0, 1] (got {c.Fraction})");
        Require(c.MinDevices >= 1, "min_devices", $"must be at least 1 (got {c.MinDevices})");
        Require(c.DeadlineSeconds is null or > 0, "deadline_s", $"must be positive (got {c.DeadlineSeconds})");
        Require(c.CheckpointEvery >= 1, "checkpoint_every", $"must be at least 1 (got {c.CheckpointEvery})");
        if (FederatedInstructData.Handles(c.Task))
        {
            // The instruct task's target is a response perplexity (lower is better), at least 1.
            Require(c.TargetAccuracy is null or >= 1 and < double.PositiveInfinity, "target_accuracy",
                $"is a response perplexity for the instruct task and must be at least 1 (got {c.TargetAccuracy})");
        }
        else
        {
            Require(c.TargetAccuracy is null or (> 0 and <= 1), "target_accuracy", $"must be in (0, 1] (got {c.TargetAccuracy})");
        }
        Require(c.LocalTestFraction > 0 && c.LocalTestFraction < 1, "local_test_fraction", $"must lie strictly between 0 and 1 (got {c.LocalTestFraction})");
        Require(c.EvalExamples is null or >= 1, "eval_examples", $"must be at least 1 (got {c.EvalExamples})");
        Require(c.RougeSamples >= 0, "rouge_samples", $"must be 0 or more (got {c.RougeSamples})");
        Require(double.IsFinite(c.LogitAdjustment) && c.LogitAdjustment >= 0, "logit_adjustment", $"must be >= 0 (got {c.LogitAdjustment})");
        Require(float.IsFinite(c.AdamEpsilon) && c.AdamEpsilon > 0, "adam_epsilon", $"must be positive (got {c.AdamEpsilon})");
        Require(c.ServerMomentum >= 0 && c.ServerMomentum < 1, "server_momentum", $"must be in [0, 1) (got {c.ServerMomentum})");
        Require(c.LearningRateSchedule is "constant" or "cosine", "lr_schedule", $"must be constant or cosine (got '{c.LearningRateSchedule}')");
        Require(c.MinLearningRate is null || (float.IsFinite(c.MinLearningRate.Value) && c.MinLearningRate > 0 && c.MinLearningRate <= c.LearningRate),
            "min_lr", $"must be positive and at most lr ({c.LearningRate}) (got {c.MinLearningRate})");
        Require(c.EvalEvery >= 1, "eval_every", $"must be at least 1 (got {c.EvalEvery})");
        Require(c.Pooling is "mean" or "last", "pooling", $"must be mean or last (got '{c.Pooling}')");
        Require(ImportanceEstimators.Names.Contains(c.Importance), "importance", $"unknown estimator '{c.Importance}' (expected {string.Join(", ", ImportanceEstimators.Names)})");
        Require(double.IsFinite(c.BanditExploration) && c.BanditExploration >= 0, "bandit_exploration", $"must be finite and >= 0 (got {c.BanditExploration})");
        Require(c.BanditDiscount > 0 && c.BanditDiscount <= 1, "bandit_discount", $"must be in (0, 1] (got {c.BanditDiscount})");
        Require(double.IsFinite(c.BanditNu) && c.BanditNu >= 0, "bandit_nu", $"must be finite and >= 0 (got {c.BanditNu})");
        Require(c.SparsityMode is "shared" or "per-device", "sparsity_mode", $"must be shared or per-device (got '{c.SparsityMode}')");
        Require(c.SparsitySpread >= 0 && c.SparsitySpread < 1, "sparsity_spread", $"must be in [0, 1) (got {c.SparsitySpread})");
        Require(c.SparsityMode == "shared" || c.Sparsity + c.SparsitySpread < 1, "sparsity_spread", $"S* + spread must stay below 1 (got {c.Sparsity} + {c.SparsitySpread})");
        Require(c.RewardNormTerm is "adapter" or "change", "reward_norm_term", $"must be adapter or change (got '{c.RewardNormTerm}')");
        Require(c.RewardProgressTerm is "ratio" or "pace", "reward_progress_term", $"must be ratio or pace (got '{c.RewardProgressTerm}')");
        Require(c.ClipMultiple == 0 || (c.ClipMultiple >= 1 && double.IsFinite(c.ClipMultiple)), "clip_multiple", $"must be 0 (off) or at least 1 (got {c.ClipMultiple})");
        Require(c.WeightCapMultiple == 0 || (c.WeightCapMultiple >= 1 && double.IsFinite(c.WeightCapMultiple)), "weight_cap_multiple", $"must be 0 (off) or at least 1 (got {c.WeightCapMultiple})");
        Require(c.MaxGlobalChange >= 0 && double.IsFinite(c.MaxGlobalChange), "max_global_change", $"must be finite and >= 0 (got {c.MaxGlobalChange})");
        Require(c.KeepCheckpoints >= 1, "keep_checkpoints", $"must be at least 1 (got {c.KeepCheckpoints})");
        new Rounds.RewardWeights(c.RewardLoss, c.RewardProgress, c.RewardNorm).Validate();
        Wrap("devices", () => DeviceMix.Parse(c.Devices));
        Wrap("partition", () => PartitionSpec.Parse(c.Partition));
        Wrap("bandit", () => BanditFactory.Create(c.Bandit, new Bandits.ArmSpace(c.MinStep, c.MaxStep, c.Ranks, c.GridSteps), c.BanditSettings()));
        if (c.Attack is not null)
        {
            Wrap("attack", () => Rounds.UploadAttack.Parse(c.Attack));
        }
        int deviceCount = DeviceMix.Parse(c.Devices).Count;
        Require(c.AttackDevices.All(d => d >= 0 && d < deviceCount), "attack_devices", $"device ids must be in 0..{deviceCount - 1}");
        if (c.Aggregator is not null)
        {
            Wrap("aggregator", () => Aggregation.Aggregators.Create(c.Aggregator));
            Require(c.ServerMomentum == 0 || !Aggregation.Aggregators.Create(c.Aggregator).Refactors, "server_momentum",
                $"must be 0 with aggregator {c.Aggregator}: it re-factors the global LoRA every round, so its factors have no fixed basis for a velocity");
        }
    }

    private static void Wrap(string key, Action check)
    {
        try
        {
            check();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException)
        {
            throw new ArgumentException(e.Message.StartsWith(key, StringComparison.Ordinal) ? e.Message : $"{key}: {e.Message}", e);
        }
    }
}
