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

    /// <summary>This line without its long per-round and per-example arrays (for summary.json).</summary>
    public MethodResult Brief() => this with { Curve = [], ExampleAccuracy = [] };
}
