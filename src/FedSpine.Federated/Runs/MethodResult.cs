// One method's line of the summary (summary.json and the printed table): final accuracy of the final device models on
// the global test set, sparsity, simulated time (total and to the target accuracy), bytes sent, inference latency.
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
}
