// Builds comparison.json from the finished (arm, seed) runs: time to the common target on smoothed curves, final accuracy
// with the paired two-way bootstrap, speed-ups as per-seed ratios, and the per-class bandit choices read off metrics.jsonl.
// Scores follow the runs' metric: accuracy (higher is better) or, for the instruct task, response perplexity (lower is
// better; the final interval and paired differences are then over the per-example mean response loss).
using System.Text.Json;
using FedSpine.Federated.Rounds;
using FedSpine.Federated.Runs;

namespace FedSpine.Federated.Experiments;

/// <summary>One finished run of an arm: its seed, its result, and its per-device round log (null when not kept).</summary>
public sealed record SeedRun(ulong Seed, MethodResult Result, string? MetricsPath);

public static class ComparisonBuilder
{
    public static Comparison Build(ExperimentConfig config, IReadOnlyDictionary<string, IReadOnlyList<SeedRun>> runs)
    {
        int window = config.SmoothingWindow;
        var arms = config.Arms.Select(a => (Arm: a, Runs: runs[a.Name])).ToList();
        foreach (var (arm, seedRuns) in arms)
        {
            if (seedRuns.Count != config.Seeds.Count || seedRuns.Any(r => r.Result.ExampleScores.Count == 0))
            {
                throw new InvalidDataException($"arm {arm.Name}: needs a finished run with per-example scores for each of the {config.Seeds.Count} seeds");
            }
        }
        bool higher = arms[0].Runs[0].Result.HigherIsBetter;
        var curves = arms.ToDictionary(a => a.Arm.Name, a => a.Runs.Select(r => CurveOf(r.Result)).ToList());
        var finalSmoothed = curves.ToDictionary(c => c.Key, c => c.Value.Select(curve =>
            curve.Length == 0 ? double.NaN : TimeToTarget.Smooth(curve, window)[^1].Value).ToList());
        double commonTarget = config.Base.TargetAccuracy ?? TimeToTarget.CommonTarget(finalSmoothed.Values.Select(v => v.Average()), higher);
        string rule = config.Base.TargetAccuracy is null
            ? (higher ? "lowest" : "highest") + " among the arms of the mean over seeds of the last value of the smoothed curve"
            : "target_accuracy of the config";
        var others = arms.Where(a => a.Arm.Name != config.Reference).ToList();
        var finals = others.Select(a => (a.Arm.Name, Mean: a.Runs.Average(r => r.Result.FinalScore))).ToList();
        var best = (higher ? finals.OrderByDescending(x => x.Mean) : finals.OrderBy(x => x.Mean)).FirstOrDefault();
        double? bestTarget = others.Count == 0 ? null : best.Mean;

        var times = curves.ToDictionary(c => c.Key, c => c.Value.Select(curve => TimeToTarget.FirstReach(curve, commonTarget, window, higher)).ToList());
        var timesBest = curves.ToDictionary(c => c.Key, c => c.Value.Select(curve =>
            bestTarget is double t ? TimeToTarget.FirstReach(curve, t, window, higher) : null).ToList());

        var summaries = arms.Select(a =>
        {
            var results = a.Runs.Select(r => r.Result).ToList();
            var records = a.Runs.Select(Records).ToList();   // each seed's metrics.jsonl, read once
            return new ArmSummary
            {
                Name = a.Arm.Name,
                Method = a.Arm.Method,
                FinalAccuracy = Intervals.Bootstrap(Examples(results), config.BootstrapReplicates),
                FinalAccuracyPerSeed = results.Select(r => r.FinalScore).ToList(),
                FinalSmoothedPerSeed = finalSmoothed[a.Arm.Name],
                TimeToCommonPerSeed = times[a.Arm.Name],
                TimeToCommon = Intervals.TInterval(Reached(times[a.Arm.Name])),
                TimeToBestBaselinePerSeed = timesBest[a.Arm.Name],
                TimeToBestBaseline = Intervals.TInterval(Reached(timesBest[a.Arm.Name])),
                SimTime = Intervals.TInterval(results.Select(r => r.SimTimeSeconds).ToArray()),
                BytesSent = Intervals.TInterval(results.Select(r => (double)r.BytesSent).ToArray()),
                Latency = Intervals.TInterval(results.Select(r => r.LatencyMsPerToken).ToArray()),
                MeanParameters = results.Average(r => r.MeanParameters),
                SparsityMin = results.Min(r => r.MinDeviceSparsity),
                SparsityMean = results.Average(r => r.FinalSparsity),
                SparsityMax = results.Max(r => r.MaxDeviceSparsity),
                WallSecondsPerSeed = results.Select(r => r.WallSeconds).ToList(),
                Curve = Band(results),
                DevicePerplexityPerSeed = results.All(r => r.DevicePerplexity is not null) ? results.Select(r => r.DevicePerplexity!).ToList() : null,
                Classes = ClassesOf(records.SelectMany(r => r).ToList()),
                CompletionCv = CompletionCvOf(records),
            };
        }).ToList();

        var reference = arms.Single(a => a.Arm.Name == config.Reference);
        var versus = others.Select(o =>
        {
            var diff = reference.Runs.Zip(o.Runs, (r, b) => Difference(r.Result.ExampleScores, b.Result.ExampleScores)).ToList();
            var accuracy = Intervals.Bootstrap(diff, config.BootstrapReplicates);
            var speedups = Ratios(times[o.Arm.Name], times[config.Reference]);
            var speedup = Intervals.RatioInterval(speedups.Where(x => x is not null).Select(x => x!.Value).ToArray());
            return new VersusReference
            {
                Other = o.Arm.Name,
                AccuracyDifference = accuracy,
                AccuracyVerdict = !accuracy.ExcludesZero ? "no difference"
                    : higher ? (accuracy.Mean > 0 ? $"{config.Reference} more accurate" : $"{config.Reference} less accurate")
                    : (accuracy.Mean < 0 ? $"{config.Reference} lower perplexity" : $"{config.Reference} higher perplexity"),
                SpeedupPerSeed = speedups,
                Speedup = speedup,
                SpeedupVerdict = speedup.Count < 2 ? "too few seeds reached the target"
                    : speedup.ExcludesOne ? (speedup.Mean > 1 ? $"{config.Reference} faster" : $"{config.Reference} slower") : "no difference",
                SpeedupBestBaselinePerSeed = Ratios(timesBest[o.Arm.Name], timesBest[config.Reference]),
            };
        }).ToList();

        var first = arms[0].Runs[0].Result;
        return new Comparison
        {
            Source = config.Source,
            Task = config.Base.Task,
            Metric = arms[0].Runs[0].Result.Metric,
            Devices = config.Base.Devices,
            Sparsity = config.Base.Sparsity,
            Rounds = config.Base.Rounds,
            LocalSteps = config.Base.LocalSteps,
            Seeds = config.Seeds,
            Reference = config.Reference,
            SmoothingWindow = window,
            CommonTarget = commonTarget,
            CommonTargetRule = rule,
            BestBaselineTarget = bestTarget,
            BestBaseline = others.Count == 0 ? null : best.Name,
            FinalExamples = first.FinalExamples,
            CurveExamples = first.CurveExamples,
            Arms = summaries,
            Versus = versus,
        };
    }

    /// <summary>A run's evaluated curve points (simulated time, accuracy or perplexity on the evaluation sample).</summary>
    public static CurvePoint[] CurveOf(MethodResult result) =>
        result.Curve.Where(p => result.ScoreOf(p) is not null).Select(p => new CurvePoint(p.SimTimeSeconds, result.ScoreOf(p)!.Value)).ToArray();

    private static double[] Reached(IEnumerable<double?> times) => times.Where(t => t is not null).Select(t => t!.Value).ToArray();

    private static List<double?> Ratios(IReadOnlyList<double?> numerator, IReadOnlyList<double?> denominator) =>
        numerator.Zip(denominator, (n, d) => n is double a && d is double b && b > 0 ? a / b : (double?)null).ToList();

    private static List<double[]> Examples(IEnumerable<MethodResult> results) => results.Select(r => r.ExampleScores.ToArray()).ToList();

    private static double[] Difference(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count)
        {
            throw new InvalidDataException($"paired runs scored different test sets ({a.Count} and {b.Count} examples)");
        }
        return a.Select((v, j) => v - b[j]).ToArray();
    }

    /// <summary>Mean, min and max over seeds of the accuracy at each evaluated round (rounds every seed evaluated).</summary>
    private static List<CurveBand> Band(IReadOnlyList<MethodResult> results)
    {
        var rounds = results.Select(r => r.Curve.Where(p => r.ScoreOf(p) is not null).Select(p => p.Round).ToHashSet())
            .Aggregate((a, b) => { a.IntersectWith(b); return a; }).Order().ToList();
        return rounds.Select(round =>
        {
            var points = results.Select(r => r.Curve.First(p => p.Round == round)).ToList();
            var acc = results.Zip(points, (r, p) => r.ScoreOf(p)!.Value).ToList();
            return new CurveBand(round, points.Average(p => p.SimTimeSeconds), acc.Average(), acc.Min(), acc.Max());
        }).ToList();
    }

    /// <summary>A run's accepted device rounds (none when its metrics.jsonl was not kept, plain or compacted).</summary>
    private static List<DeviceRoundRecord> Records(SeedRun run) => run.MetricsPath is null || !MetricsFileReader.Exists(run.MetricsPath)
        ? []
        : MetricsFileReader.ReadLines(run.MetricsPath).Select(l => JsonSerializer.Deserialize<DeviceRoundRecord>(l)!).Where(r => r.Status == "ok").ToList();

    private static List<ClassSeries> ClassesOf(List<DeviceRoundRecord> rows)
    {
        if (rows.Count == 0)
        {
            return [];
        }
        int rounds = rows.Max(r => r.Round);
        List<double?> Series(IEnumerable<DeviceRoundRecord> g, Func<DeviceRoundRecord, double?> value)
        {
            var byRound = g.GroupBy(r => r.Round).ToDictionary(x => x.Key, x => x.Select(value).Where(v => v is not null).Select(v => v!.Value).ToList());
            return Enumerable.Range(1, rounds).Select(t => byRound.TryGetValue(t, out var v) && v.Count > 0 ? v.Average() : (double?)null).ToList();
        }
        return rows.GroupBy(r => r.DeviceClass).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new ClassSeries(g.Key,
            Series(g, r => r.Rank), Series(g, r => r.ArmStep), Series(g, r => r.PrunableSparsity))).ToList();
    }

    private static List<double?> CompletionCvOf(IReadOnlyList<List<DeviceRoundRecord>> seeds)
    {
        var perSeed = seeds.Where(rows => rows.Count > 0).Select(rows => rows.GroupBy(r => r.Round)
            .ToDictionary(g => g.Key, g => g.Select(r => r.TotalSeconds).Where(t => t is not null).Select(t => t!.Value).ToArray())).ToList();
        if (perSeed.Count == 0)
        {
            return [];
        }
        int rounds = perSeed.Max(d => d.Keys.Max());
        return Enumerable.Range(1, rounds).Select(t =>
        {
            var cvs = perSeed.Where(d => d.TryGetValue(t, out var x) && x.Length > 1).Select(d => Cv(d[t])).ToList();
            return cvs.Count == 0 ? (double?)null : cvs.Average();
        }).ToList();
    }

    private static double Cv(double[] x)
    {
        double mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / x.Length) / mean;
    }
}
