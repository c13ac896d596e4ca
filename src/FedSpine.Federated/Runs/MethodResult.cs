// One method's line of the summary (summary.json and the printed table): final accuracy of the final device models on
// the whole global test set (and per example), sparsity, simulated time (total and to the target accuracy), bytes sent, inference latency.
using System.Text.Json.Serialization;

namespace FedSpine.Federated.Runs;

public sealed record MethodResult
{
    [JsonPropertyName("method")] public required string Method { get; init; }

    /// <summary>Mean over devices of each final device model's accuracy on the global test set.</summary>
    [JsonPropertyName("final_accuracy")] public double FinalAccuracy { get; init; }

    /// <summary>Lowest and highest device accuracy on the global test set.</summary>
    [JsonPropertyName("min_device_accuracy")] public double MinDeviceAccuracy { get; init; }
    [JsonPropertyName("max_device_accuracy")] public double MaxDeviceAccuracy { get; init; }

    /// <summary>Mean local test accuracy of the devices after the last round (their own non-IID test examples).</summary>
    [JsonPropertyName("final_local_accuracy")] public double? FinalLocalAccuracy { get; init; }

    /// <summary>Mean over devices of the fraction of prunable parameters removed.</summary>
    [JsonPropertyName("final_sparsity")] public double FinalSparsity { get; init; }

    /// <summary>Lowest and highest device fraction of prunable parameters removed (they differ in per-device sparsity mode).</summary>
    [JsonPropertyName("min_device_sparsity")] public double MinDeviceSparsity { get; init; }
    [JsonPropertyName("max_device_sparsity")] public double MaxDeviceSparsity { get; init; }

    /// <summary>Mean over devices of the fraction of all parameters removed.</summary>
    [JsonPropertyName("final_overall_sparsity")] public double FinalOverallSparsity { get; init; }

    /// <summary>Simulated seconds until the devices' mean accuracy on the evaluation set first reached target_accuracy; null if never.</summary>
    [JsonPropertyName("time_to_target_s")] public double? TimeToTargetSeconds { get; init; }
    [JsonPropertyName("target_accuracy")] public double? TargetAccuracy { get; init; }
    [JsonPropertyName("sim_time_s")] public double SimTimeSeconds { get; init; }
    [JsonPropertyName("bytes_sent")] public long BytesSent { get; init; }

    /// <summary>Mean over devices of the final merged model's decode time per token, measured on this machine.</summary>
    [JsonPropertyName("latency_ms_per_token")] public double LatencyMsPerToken { get; init; }
    [JsonPropertyName("mean_parameters")] public double MeanParameters { get; init; }
    [JsonPropertyName("rounds")] public int Rounds { get; init; }
    [JsonPropertyName("wall_s")] public double WallSeconds { get; init; }
    [JsonPropertyName("curve")] public IReadOnlyList<RoundPoint> Curve { get; init; } = [];

    /// <summary>Examples of the global test set behind final_accuracy (all of them), and of the sample behind the curve.</summary>
    [JsonPropertyName("final_examples")] public int FinalExamples { get; init; }
    [JsonPropertyName("curve_examples")] public int CurveExamples { get; init; }

    /// <summary>Per global test example, in the test set's order, the share of the final device models that classify it
    /// right (its mean is final_accuracy): what paired comparisons of methods resample.</summary>
    [JsonPropertyName("example_accuracy")] public IReadOnlyList<double> ExampleAccuracy { get; init; } = [];

    /// <summary>The metric the run's scores are in: null for accuracy (classification, higher is better), "perplexity"
    /// for the instruct task (response perplexity, lower is better; then the *_perplexity fields hold the scores and the
    /// accuracy fields hold 1/perplexity, so that code reading accuracy still sees "higher is better").</summary>
    [JsonPropertyName("metric")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Metric { get; init; }

    [JsonIgnore] public bool HigherIsBetter => Metric != PerplexityMetric;

    public const string PerplexityMetric = "perplexity";

    /// <summary>Instruct task: response perplexity of the final device models on the whole global test set, exp of the mean
    /// over devices of their mean response loss; lowest and highest device; per category; ROUGE-L F1 of greedy responses.</summary>
    [JsonPropertyName("final_perplexity")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? FinalPerplexity { get; init; }
    [JsonPropertyName("min_device_perplexity")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? MinDevicePerplexity { get; init; }
    [JsonPropertyName("max_device_perplexity")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? MaxDevicePerplexity { get; init; }
    [JsonPropertyName("category_perplexity")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, double>? CategoryPerplexity { get; init; }
    [JsonPropertyName("final_rouge_l")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? FinalRougeL { get; init; }

    /// <summary>Instruct task: per device, its final model's response perplexity on the global test records of its own
    /// categories beside the whole global test set.</summary>
    [JsonPropertyName("device_perplexity")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<DevicePerplexity>? DevicePerplexity { get; init; }

    /// <summary>Instruct task: per global test example, in the test set's order, the mean over the final device models of
    /// the example's mean response loss (nats per token; lower is better): what paired comparisons resample.</summary>
    [JsonPropertyName("example_loss")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<double>? ExampleLoss { get; init; }

    /// <summary>The per-example scores of the run's metric: example_accuracy, or example_loss for perplexity runs.</summary>
    [JsonIgnore] public IReadOnlyList<double> ExampleScores => Metric == PerplexityMetric ? ExampleLoss ?? [] : ExampleAccuracy;

    /// <summary>Instruct task: the first few ROUGE-L sample records with device 0's greedy response (for the report).</summary>
    [JsonPropertyName("responses")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<ShownResponse>? Responses { get; init; }

    /// <summary>The final score in the run's metric (accuracy or perplexity).</summary>
    [JsonIgnore] public double FinalScore => Metric == PerplexityMetric ? FinalPerplexity ?? double.NaN : FinalAccuracy;

    /// <summary>A curve point's score in the run's metric (null when not evaluated that round).</summary>
    public double? ScoreOf(RoundPoint point) => Metric == PerplexityMetric ? point.Perplexity : point.Accuracy;

    /// <summary>This line without its long per-round and per-example arrays (for summary.json).</summary>
    public MethodResult Brief() => this with { Curve = [], ExampleAccuracy = [], ExampleLoss = ExampleLoss is null ? null : [] };
}
