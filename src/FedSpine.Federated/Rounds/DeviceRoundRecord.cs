// One line of metrics.jsonl: what one device did in one round (arm, reward terms, loss, accuracy, sparsity, rank,
// bytes, simulated times, how its upload was bounded) or why it took no part (status: ok, late, invalid, no-answer, no-fit,
// rolled-back).
using System.Text.Json.Serialization;

namespace FedSpine.Federated.Rounds;

public sealed record DeviceRoundRecord
{
    [JsonPropertyName("method")] public string Method { get; init; } = "";
    [JsonPropertyName("round")] public int Round { get; init; }
    [JsonPropertyName("device")] public int Device { get; init; }
    [JsonPropertyName("device_class")] public string DeviceClass { get; init; } = "";
    [JsonPropertyName("status")] public string Status { get; init; } = "ok";
    [JsonPropertyName("message")] public string? Message { get; init; }
    [JsonPropertyName("arm_step")] public double? ArmStep { get; init; }
    [JsonPropertyName("rank")] public int? Rank { get; init; }
    [JsonPropertyName("sparsity")] public double Sparsity { get; init; }
    [JsonPropertyName("prunable_sparsity")] public double? PrunableSparsity { get; init; }
    [JsonPropertyName("overall_sparsity")] public double? OverallSparsity { get; init; }
    [JsonPropertyName("loss_before")] public double? LossBefore { get; init; }
    [JsonPropertyName("loss_after")] public double? LossAfter { get; init; }
    [JsonPropertyName("train_loss")] public double? TrainLoss { get; init; }
    [JsonPropertyName("accuracy")] public double? Accuracy { get; init; }
    [JsonPropertyName("reward")] public double? Reward { get; init; }
    [JsonPropertyName("reward_terms")] public RewardTerms? RewardTerms { get; init; }
    [JsonPropertyName("bytes_down")] public long BytesDown { get; init; }
    [JsonPropertyName("bytes_up")] public long BytesUp { get; init; }
    [JsonPropertyName("compute_s")] public double? ComputeSeconds { get; init; }
    [JsonPropertyName("download_s")] public double? DownloadSeconds { get; init; }
    [JsonPropertyName("upload_s")] public double? UploadSeconds { get; init; }
    [JsonPropertyName("total_s")] public double? TotalSeconds { get; init; }
    [JsonPropertyName("sim_time_s")] public double SimTimeSeconds { get; init; }
    [JsonPropertyName("wall_s")] public double? WallSeconds { get; init; }

    /// <summary>UploadBounds: the factor the upload's change was scaled by (below 1 when clipped) and the weight it was
    /// aggregated with (its claimed sample count, or less when capped).</summary>
    [JsonPropertyName("clip_factor")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? ClipFactor { get; init; }
    [JsonPropertyName("weight")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Weight { get; init; }
}
