// Everything a federated run is configured by, with the names a run config file uses (JSON or YAML, snake_case) and
// the defaults of `fedspine simulate` with no arguments: the bundled base model on the bundled spam task.
using System.Text.Json.Serialization;

namespace FedSpine.Federated.Runs;

public sealed record RunConfig
{
    [JsonPropertyName("model")] public string Model { get; init; } = "models/fedspine-base";
    [JsonPropertyName("tokenizer")] public string? Tokenizer { get; init; }

    /// <summary>spam (JSONL with subject+body, label ham/spam, group), sentiment (VADER movie snippets), classify (any labelled
    /// JSONL/CSV/TSV) or instruct (Dolly/Alpaca JSONL; response perplexity, lower is better).</summary>
    [JsonPropertyName("task")] public string Task { get; init; } = "spam";

    /// <summary>Training data (split over the devices); default by task: data/spam/train.jsonl for spam.</summary>
    [JsonPropertyName("data")] public string? Data { get; init; }

    /// <summary>The global test set; default by task (data/spam/test.jsonl; VADER's fixed 20% split).</summary>
    [JsonPropertyName("eval_data")] public string? EvalData { get; init; }

    [JsonPropertyName("devices")] public string Devices { get; init; } = "3 tx2,3 nx,2 agx";
    [JsonPropertyName("rounds")] public int Rounds { get; init; } = 16;
    [JsonPropertyName("local_steps")] public int LocalSteps { get; init; } = 15;
    [JsonPropertyName("sparsity")] public double Sparsity { get; init; } = 0.5;
    [JsonPropertyName("methods")] public IReadOnlyList<string> Methods { get; init; } = ["fedspine"];
    [JsonPropertyName("partition")] public string Partition { get; init; } = "dirichlet:0.5";
    [JsonPropertyName("seed")] public ulong Seed { get; init; } = 1;

    /// <summary>Rows per local batch and tokens per row (longer examples are cut).</summary>
    [JsonPropertyName("batch")] public int Batch { get; init; } = 8;
    [JsonPropertyName("max_tokens")] public int? MaxTokens { get; init; }
    [JsonPropertyName("lr")] public float LearningRate { get; init; } = 2e-3f;

    /// <summary>alpha = lora_scale·rank on every device.</summary>
    [JsonPropertyName("lora_scale")] public float LoraScale { get; init; } = 2f;

    /// <summary>Ranks the bandits may choose; the global LoRA has the largest.</summary>
    [JsonPropertyName("ranks")] public IReadOnlyList<int> Ranks { get; init; } = [2, 4, 8, 16];

    /// <summary>Rank of the methods with one rank (fedit, uniform-prune, fedmp).</summary>
    [JsonPropertyName("fixed_rank")] public int FixedRank { get; init; } = 8;

    /// <summary>Range of the pruning step a bandit may add in one round, and the grid size of grid bandits.</summary>
    [JsonPropertyName("min_step")] public double MinStep { get; init; }
    [JsonPropertyName("max_step")] public double MaxStep { get; init; } = 0.15;
    [JsonPropertyName("grid_steps")] public int GridSteps { get; init; } = 4;

    /// <summary>Share of the rounds by which S* must be reached (the rest recover).</summary>
    [JsonPropertyName("prune_end")] public double PruneEnd { get; init; } = 0.75;

    [JsonPropertyName("fraction")] public double Fraction { get; init; } = 1.0;
    [JsonPropertyName("min_devices")] public int MinDevices { get; init; } = 2;
    [JsonPropertyName("deadline_s")] public double? DeadlineSeconds { get; init; }
    [JsonPropertyName("checkpoint_every")] public int CheckpointEvery { get; init; } = 1;

    /// <summary>Accuracy whose first crossing times the methods; null = the best final accuracy among the other methods.</summary>
    [JsonPropertyName("target_accuracy")] public double? TargetAccuracy { get; init; }

    /// <summary>shared: every pruning device ends at S*; per-device: FedSpine's devices each choose their own final sparsity
    /// in [S* − sparsity_spread, S* + sparsity_spread] while the server holds the fleet's mean at S*.</summary>
    [JsonPropertyName("sparsity_mode")] public string SparsityMode { get; init; } = "shared";
    [JsonPropertyName("sparsity_spread")] public double SparsitySpread { get; init; } = 0.2;

    /// <summary>The reward's update term: adapter (norm of the adapter the device uploads) or change (norm of this round's
    /// change against the global LoRA it was sent).</summary>
    [JsonPropertyName("reward_norm_term")] public string RewardNormTerm { get; init; } = "adapter";

    /// <summary>The reward's progress term: ratio (s_i / S*) or pace (closeness to the schedule that reaches S* at prune_end).</summary>
    [JsonPropertyName("reward_progress_term")] public string RewardProgressTerm { get; init; } = "ratio";

    [JsonPropertyName("reward_loss")] public double RewardLoss { get; init; } = 1.0 / 3;
    [JsonPropertyName("reward_progress")] public double RewardProgress { get; init; } = 1.0 / 3;
    [JsonPropertyName("reward_norm")] public double RewardNorm { get; init; } = 1.0 / 3;

    /// <summary>Bandit for fedspine (sucb by default; ucb1, swucb, exp3, random, fixed for ablations).</summary>
    [JsonPropertyName("bandit")] public string Bandit { get; init; } = "sucb";

    /// <summary>Scale c of the UCB confidence term c·sqrt(2 ln t / n) (sucb, ucb1, swucb), on the scale of the reward's
    /// noise (about 0.12 per play in the 20-device runs): the textbook c = 1, meant for the whole [0, 1] range, explores
    /// almost uniformly over a run of tens of rounds.</summary>
    [JsonPropertyName("bandit_exploration")] public double BanditExploration { get; init; } = 0.1;

    /// <summary>S-UCB discount γ of the statistics each round (rewards drift as the model prunes); 0.95 keeps about 20
    /// rounds of memory.</summary>
    [JsonPropertyName("bandit_discount")] public double BanditDiscount { get; init; } = 0.95;

    /// <summary>S-UCB smoothness ν of the depth bonus ν·ρ^depth: how much the mean reward may vary inside the whole box
    /// (the per-class means of the 20-device runs span about 0.3).</summary>
    [JsonPropertyName("bandit_nu")] public double BanditNu { get; init; } = 0.3;

    /// <summary>The bandit tunables of this run.</summary>
    public Bandits.BanditSettings BanditSettings() =>
        new() { Exploration = BanditExploration, Discount = BanditDiscount, Nu = BanditNu };

    /// <summary>Aggregation override for every method (Aggregators.Names: scatter, hetlora, flexlora, factor-svd, fedavg, median,
    /// trimmed-mean[:β], clipped-scatter[:τ]); null = the method's own.</summary>
    [JsonPropertyName("aggregator")] public string? Aggregator { get; init; }

    /// <summary>Upload clipping: an upload whose change against what it was sent exceeds clip_multiple × the round's median
    /// change norm is scaled back onto that bound; 0 = off.</summary>
    [JsonPropertyName("clip_multiple")] public double ClipMultiple { get; init; } = 4;

    /// <summary>Sample-count cap: weight = min(claim, the device's count where the server knows it (simulate: the partition;
    /// server: read from --data), else weight_cap_multiple × the round's median claim); 0 = no cap (claims trusted).</summary>
    [JsonPropertyName("weight_cap_multiple")] public double WeightCapMultiple { get; init; } = 3;

    /// <summary>A round whose aggregate is non-finite or moves the global state by more than this share of its norm is
    /// rolled back; 0 = only the finiteness check.</summary>
    [JsonPropertyName("max_global_change")] public double MaxGlobalChange { get; init; } = 1.0;

    /// <summary>Robustness experiments (simulate only): the attack the hostile devices apply to every upload (UploadAttack:
    /// scale:K, sign-flip, value:V, samples:N, nan); null = every device honest.</summary>
    [JsonPropertyName("attack")] public string? Attack { get; init; }

    /// <summary>Ids of the hostile devices of "attack".</summary>
    [JsonPropertyName("attack_devices")] public IReadOnlyList<int> AttackDevices { get; init; } = [0];

    /// <summary>Round checkpoints kept beside the latest (checkpoint-round-N.safetensors), for --from-round.</summary>
    [JsonPropertyName("keep_checkpoints")] public int KeepCheckpoints { get; init; } = 3;

    /// <summary>τ of logit adjustment in local training (τ·log local class prior added to training logits); 0 = off.</summary>
    [JsonPropertyName("logit_adjustment")] public double LogitAdjustment { get; init; } = 1.0;

    /// <summary>AdamW ε of local training (see LocalTrainingSettings.AdamEpsilon). The default 1e-2 (typical LoRA
    /// gradient entries are about 1e-3) keeps devices whose skewed local data they already fit from taking full
    /// lr-sized steps each round: on spam with Dirichlet(0.5) over 8 devices, FedIT reached 92.5% with it and never left
    /// the all-ham 75.5% in 12 rounds with Adam's usual 1e-8.</summary>
    [JsonPropertyName("adam_epsilon")] public float AdamEpsilon { get; init; } = 1e-2f;

    /// <summary>β of server momentum (FedAvgM, Hsu et al. 2019) on the global LoRA factors and head: the server applies
    /// v ← β·v + Δ with Δ the round's aggregated change. 0 = plain aggregation.</summary>
    [JsonPropertyName("server_momentum")] public double ServerMomentum { get; init; }

    /// <summary>The local learning rate over rounds: "constant" (lr every round) or "cosine" (from lr down to min_lr at the
    /// last round along a half cosine, so the global model settles instead of swinging with the last rounds' updates).</summary>
    [JsonPropertyName("lr_schedule")] public string LearningRateSchedule { get; init; } = "constant";

    /// <summary>The local learning rate of the last round under lr_schedule: cosine; null = lr / 10.</summary>
    [JsonPropertyName("min_lr")] public float? MinLearningRate { get; init; }

    [JsonPropertyName("importance")] public string Importance { get; init; } = "lora";

    /// <summary>Share of each device's examples kept as its local test set.</summary>
    [JsonPropertyName("local_test_fraction")] public double LocalTestFraction { get; init; } = 0.2;

    /// <summary>Examples of the global test set (a fixed seeded sample; all when null) every device's model is evaluated on
    /// after every eval_every rounds and at the end: the accuracy curve and the final accuracy.</summary>
    [JsonPropertyName("eval_examples")] public int? EvalExamples { get; init; } = 200;
    [JsonPropertyName("eval_every")] public int EvalEvery { get; init; } = 1;

    /// <summary>Instruct task: global test records (a fixed seeded sample) whose greedy responses each final device model
    /// gives, scored with ROUGE-L F1 (0 = none).</summary>
    [JsonPropertyName("rouge_samples")] public int RougeSamples { get; init; } = 100;

    /// <summary>Write every device's final pruned + merged model as an HF folder.</summary>
    [JsonPropertyName("save_models")] public bool SaveModels { get; init; } = true;

    /// <summary>Name of the classification pooling: mean or last.</summary>
    [JsonPropertyName("pooling")] public string Pooling { get; init; } = "mean";
}
