// comparison.json of an experiment: per arm the seed-level results summarised with 95% intervals, the accuracy curve
// (mean over seeds with a min-max band), the per-class bandit choices over rounds, and each arm against the reference.
using System.Text.Json.Serialization;
using FedSpine.Federated.Runs;

namespace FedSpine.Federated.Experiments;

public sealed record Comparison
{
    [JsonPropertyName("source")] public string Source { get; init; } = "";
    [JsonPropertyName("task")] public string Task { get; init; } = "";

    /// <summary>null: accuracy (higher is better); "perplexity": the instruct task's response perplexity (lower is better),
    /// which final_accuracy, the curves and the targets then hold (final_accuracy's interval: mean per-example loss).</summary>
    [JsonPropertyName("metric")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Metric { get; init; }
    [JsonPropertyName("devices")] public string Devices { get; init; } = "";
    [JsonPropertyName("sparsity")] public double Sparsity { get; init; }
    [JsonPropertyName("rounds")] public int Rounds { get; init; }
    [JsonPropertyName("local_steps")] public int LocalSteps { get; init; }
    [JsonPropertyName("seeds")] public IReadOnlyList<ulong> Seeds { get; init; } = [];
    [JsonPropertyName("reference")] public string Reference { get; init; } = "";
    [JsonPropertyName("smoothing_window")] public int SmoothingWindow { get; init; }

    /// <summary>The accuracy every arm is timed to: the config's target_accuracy, else the lowest among the arms of the mean
    /// (over seeds) final smoothed curve value.</summary>
    [JsonPropertyName("common_target")] public double CommonTarget { get; init; }
    [JsonPropertyName("common_target_rule")] public string CommonTargetRule { get; init; } = "";

    /// <summary>The second target: the best mean final accuracy (whole test set) among the arms other than the reference.</summary>
    [JsonPropertyName("best_baseline_target")] public double? BestBaselineTarget { get; init; }
    [JsonPropertyName("best_baseline")] public string? BestBaseline { get; init; }

    [JsonPropertyName("final_examples")] public int FinalExamples { get; init; }
    [JsonPropertyName("curve_examples")] public int CurveExamples { get; init; }
    [JsonPropertyName("arms")] public IReadOnlyList<ArmSummary> Arms { get; init; } = [];
    [JsonPropertyName("versus")] public IReadOnlyList<VersusReference> Versus { get; init; } = [];
}

public sealed record ArmSummary
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("method")] public string Method { get; init; } = "";

    /// <summary>Mean over seeds and test examples, 95% interval from the two-way bootstrap (seeds x examples).</summary>
    [JsonPropertyName("final_accuracy")] public required Estimate FinalAccuracy { get; init; }
    [JsonPropertyName("final_accuracy_per_seed")] public IReadOnlyList<double> FinalAccuracyPerSeed { get; init; } = [];

    /// <summary>Last value of the smoothed curve, per seed (what the common target is made from).</summary>
    [JsonPropertyName("final_smoothed_per_seed")] public IReadOnlyList<double> FinalSmoothedPerSeed { get; init; } = [];

    /// <summary>Simulated seconds to the common target per seed (null: never) and their t interval over the seeds that reached it.</summary>
    [JsonPropertyName("time_to_common_target_per_seed")] public IReadOnlyList<double?> TimeToCommonPerSeed { get; init; } = [];
    [JsonPropertyName("time_to_common_target_s")] public required Estimate TimeToCommon { get; init; }
    [JsonPropertyName("time_to_best_baseline_per_seed")] public IReadOnlyList<double?> TimeToBestBaselinePerSeed { get; init; } = [];
    [JsonPropertyName("time_to_best_baseline_s")] public required Estimate TimeToBestBaseline { get; init; }

    [JsonPropertyName("sim_time_s")] public required Estimate SimTime { get; init; }
    [JsonPropertyName("bytes_sent")] public required Estimate BytesSent { get; init; }
    [JsonPropertyName("latency_ms_per_token")] public required Estimate Latency { get; init; }
    [JsonPropertyName("mean_parameters")] public double MeanParameters { get; init; }
    [JsonPropertyName("sparsity_min")] public double SparsityMin { get; init; }
    [JsonPropertyName("sparsity_mean")] public double SparsityMean { get; init; }
    [JsonPropertyName("sparsity_max")] public double SparsityMax { get; init; }
    [JsonPropertyName("wall_s_per_seed")] public IReadOnlyList<double> WallSecondsPerSeed { get; init; } = [];

    /// <summary>Instruct task: per seed, each device's final model on its own categories' test records and on the whole
    /// global test set (result.json's device_perplexity); null for classification.</summary>
    [JsonPropertyName("device_perplexity_per_seed")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<IReadOnlyList<DevicePerplexity>>? DevicePerplexityPerSeed { get; init; }

    /// <summary>Accuracy curve on the evaluation sample by evaluated round: mean simulated time and mean, min and max
    /// accuracy over the seeds.</summary>
    [JsonPropertyName("curve")] public IReadOnlyList<CurveBand> Curve { get; init; } = [];

    /// <summary>Per device class and round, means over the seeds' devices of the played rank, pruning step and device
    /// sparsity; and per round the within-round completion-time CV (mean over seeds).</summary>
    [JsonPropertyName("classes")] public IReadOnlyList<ClassSeries> Classes { get; init; } = [];
    [JsonPropertyName("completion_cv")] public IReadOnlyList<double?> CompletionCv { get; init; } = [];
}

public sealed record CurveBand(
    [property: JsonPropertyName("round")] int Round,
    [property: JsonPropertyName("sim_time_s")] double SimTime,
    [property: JsonPropertyName("mean")] double Mean,
    [property: JsonPropertyName("min")] double Min,
    [property: JsonPropertyName("max")] double Max);

public sealed record ClassSeries(
    [property: JsonPropertyName("device_class")] string DeviceClass,
    [property: JsonPropertyName("rank")] IReadOnlyList<double?> Rank,
    [property: JsonPropertyName("step")] IReadOnlyList<double?> Step,
    [property: JsonPropertyName("sparsity")] IReadOnlyList<double?> Sparsity);

/// <summary>The reference arm against one other arm, paired over the same seeds and test examples.</summary>
public sealed record VersusReference
{
    [JsonPropertyName("other")] public string Other { get; init; } = "";

    /// <summary>Reference minus other in final accuracy: two-way paired bootstrap over seeds and examples.</summary>
    [JsonPropertyName("accuracy_difference")] public required Estimate AccuracyDifference { get; init; }
    [JsonPropertyName("accuracy_verdict")] public string AccuracyVerdict { get; init; } = "";

    /// <summary>Other's time / reference's time to the common target per seed (null when either never reached it), and
    /// their geometric mean with the t interval of the log ratios.</summary>
    [JsonPropertyName("speedup_per_seed")] public IReadOnlyList<double?> SpeedupPerSeed { get; init; } = [];
    [JsonPropertyName("speedup")] public required Estimate Speedup { get; init; }
    [JsonPropertyName("speedup_verdict")] public string SpeedupVerdict { get; init; } = "";
    [JsonPropertyName("speedup_best_baseline_per_seed")] public IReadOnlyList<double?> SpeedupBestBaselinePerSeed { get; init; } = [];
}
