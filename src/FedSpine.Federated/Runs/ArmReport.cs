// What the bandits chose, from a method's metrics.jsonl: per device class, the mean pruning step (as played), rank and
// completion time over the first and the last third of the rounds, and the spread (CV) of completion times per round.
using System.Text.Json;
using System.Text.Json.Serialization;
using FedSpine.Federated.Rounds;

namespace FedSpine.Federated.Runs;

public sealed record ClassArms(
    [property: JsonPropertyName("device_class")] string DeviceClass,
    [property: JsonPropertyName("early_step")] double? EarlyStep,
    [property: JsonPropertyName("late_step")] double? LateStep,
    [property: JsonPropertyName("early_rank")] double? EarlyRank,
    [property: JsonPropertyName("late_rank")] double? LateRank,
    [property: JsonPropertyName("early_time_s")] double? EarlySeconds,
    [property: JsonPropertyName("late_time_s")] double? LateSeconds);

public sealed record ArmReport(
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("classes")] IReadOnlyList<ClassArms> Classes,
    [property: JsonPropertyName("early_completion_cv")] double? EarlyCompletionCv,
    [property: JsonPropertyName("late_completion_cv")] double? LateCompletionCv)
{
    /// <summary>Reads the method's accepted device rounds; "early" is the first third of the rounds, "late" the last third.</summary>
    public static ArmReport FromMetrics(string method, string metricsPath)
    {
        var rows = File.ReadLines(metricsPath).Select(l => JsonSerializer.Deserialize<DeviceRoundRecord>(l)!)
            .Where(r => r.Status == "ok" && r.ArmStep is not null && r.Rank is not null && r.TotalSeconds is not null).ToList();
        if (rows.Count == 0)
        {
            return new ArmReport(method, [], null, null);
        }
        int rounds = rows.Max(r => r.Round);
        int third = Math.Max(1, rounds / 3);
        bool Early(DeviceRoundRecord r) => r.Round <= third;
        bool Late(DeviceRoundRecord r) => r.Round > rounds - third;
        var classes = rows.GroupBy(r => r.DeviceClass).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new ClassArms(g.Key,
            Mean(g.Where(Early), r => r.ArmStep!.Value), Mean(g.Where(Late), r => r.ArmStep!.Value),
            Mean(g.Where(Early), r => r.Rank!.Value), Mean(g.Where(Late), r => r.Rank!.Value),
            Mean(g.Where(Early), r => r.TotalSeconds!.Value), Mean(g.Where(Late), r => r.TotalSeconds!.Value))).ToList();
        double? Cv(IEnumerable<DeviceRoundRecord> part)
        {
            var cvs = part.GroupBy(r => r.Round).Select(g => g.Select(r => r.TotalSeconds!.Value).ToArray()).Where(t => t.Length > 1)
                .Select(t => StdDev(t) / t.Average()).ToList();
            return cvs.Count == 0 ? null : cvs.Average();
        }
        return new ArmReport(method, classes, Cv(rows.Where(Early)), Cv(rows.Where(Late)));
    }

    private static double? Mean(IEnumerable<DeviceRoundRecord> rows, Func<DeviceRoundRecord, double> value)
    {
        var values = rows.Select(value).ToList();
        return values.Count == 0 ? null : values.Average();
    }

    private static double StdDev(double[] x)
    {
        double mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / x.Length);
    }
}
