// The JSON half of a method's checkpoint: round, clock, bytes, every device slot (mask, sparsity, rank, accuracy,
// bandit state) and the rounds so far. Tensors (global LoRA, head, device importance) travel beside it.
using System.Text.Json.Serialization;
using FedSpine.Federated.Rounds;
using FedSpine.Pruning;

namespace FedSpine.Federated.Runs;

public sealed record SlotState(
    [property: JsonPropertyName("id")] int Id,
    [property: JsonPropertyName("mask")] PruningMask Mask,
    [property: JsonPropertyName("sparsity")] double Sparsity,
    [property: JsonPropertyName("has_trained")] bool HasTrained,
    [property: JsonPropertyName("last_rank")] int LastRank,
    [property: JsonPropertyName("last_accuracy")] double? LastAccuracy,
    [property: JsonPropertyName("local_test_count")] int LocalTestCount,
    [property: JsonPropertyName("bandit")] string Bandit,
    [property: JsonPropertyName("importance_updates")] int ImportanceUpdates,
    [property: JsonPropertyName("target_sparsity")] double? TargetSparsity = null,
    [property: JsonPropertyName("target_bandit")] string? TargetBandit = null);

public sealed record RoundPoint(
    [property: JsonPropertyName("round")] int Round,
    [property: JsonPropertyName("sim_time_s")] double SimTimeSeconds,
    [property: JsonPropertyName("round_s")] double RoundSeconds,
    [property: JsonPropertyName("accuracy")] double? Accuracy,
    [property: JsonPropertyName("local_accuracy")] double? LocalAccuracy,
    [property: JsonPropertyName("mean_sparsity")] double MeanSparsity,
    [property: JsonPropertyName("accepted")] int Accepted,
    [property: JsonPropertyName("selected")] int Selected,
    [property: JsonPropertyName("bytes_sent")] long BytesSent,
    [property: JsonPropertyName("completion_cv")] double CompletionSpread)
{
    /// <param name="accuracy">Mean accuracy of the device models on the run's evaluation set, or null when not evaluated this round.</param>
    public static RoundPoint From(RoundSummary s, double? accuracy) => new(s.Round, s.SimTimeSeconds, s.RoundSeconds, accuracy, Finite(s.Accuracy),
        s.MeanSparsity, s.Accepted, s.Selected, s.BytesSent, s.CompletionSpread) { RolledBack = s.RolledBack, GlobalChange = s.GlobalChange };

    /// <summary>||new − old|| / ||old|| of the global state this round (before any roll-back; NaN written as null).</summary>
    [JsonPropertyName("global_change")] public double? GlobalChange { get; init => field = value is double v && double.IsFinite(v) ? v : null; }

    /// <summary>Why the round's aggregate was rolled back (RoundSummary.RolledBack); absent when it was kept.</summary>
    [JsonPropertyName("rolled_back")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? RolledBack { get; init; }

    /// <summary>Instruct task: mean response perplexity of the device models on the evaluation sample (lower is better);
    /// accuracy then holds its inverse. Absent for classification.</summary>
    [JsonPropertyName("perplexity")][JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? Perplexity { get; init; }

    public static double? Finite(double v) => double.IsFinite(v) ? v : null;
}

public sealed record MethodState(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("round")] int Round,
    [property: JsonPropertyName("sim_time_s")] double SimTimeSeconds,
    [property: JsonPropertyName("bytes_sent")] long BytesSent,
    [property: JsonPropertyName("slots")] IReadOnlyList<SlotState> Slots,
    [property: JsonPropertyName("rounds")] IReadOnlyList<RoundPoint> Rounds,
    [property: JsonPropertyName("wall_s")] double WallSeconds = 0);
