// Lower-is-better runs (the instruct task's response perplexity) through comparison.json and simulate's time to target:
// the common target is the highest final smoothed value, times are first reaches from above, the best baseline is the
// lowest, and the paired verdict reads a lower loss as better.
using System.Text.Json.Nodes;
using FedSpine.Federated.Experiments;
using FedSpine.Federated.Runs;

namespace FedSpine.Federated.Tests.Experiments;

public sealed class PerplexityComparisonTests
{
    private static ExperimentConfig Config() => ExperimentConfig.Parse(new JsonObject
    {
        ["model"] = "unused",
        ["methods"] = new JsonArray("fedspine", "fedit"),
        ["seeds"] = new JsonArray(1, 2, 3),
    }, "test");

    // Evaluations every `step` simulated seconds of perplexity `curve`; per-example loss all equal to `loss`.
    private static MethodResult Result(string method, double step, double[] curve, double final, double loss) => new()
    {
        Method = method,
        Metric = MethodResult.PerplexityMetric,
        FinalPerplexity = final,
        FinalAccuracy = 1 / final,
        Curve = curve.Select((p, i) => new RoundPoint(i + 1, step * (i + 1), step, 1 / p, null, 0, 4, 4, 0, 0) { Perplexity = p }).ToList(),
        ExampleLoss = Enumerable.Repeat(loss, 50).ToArray(),
        FinalExamples = 50,
        CurveExamples = 20,
    };

    [Fact]
    public void Known_perplexity_curves_give_the_known_target_times_and_verdicts()
    {
        // fedspine smoothed (window 3): 50, 40, 33.33, 23.33, 20 at 5..25 s; fedit: 50, 45, 40, 33.33, 30 at 10..50 s.
        var runs = new Dictionary<string, IReadOnlyList<SeedRun>>
        {
            ["fedspine"] = new ulong[] { 1, 2, 3 }.Select(s => new SeedRun(s, Result("fedspine", 5, [50, 30, 20, 20, 20], 20, 3.0), null)).ToList(),
            ["fedit"] = new ulong[] { 1, 2, 3 }.Select(s => new SeedRun(s, Result("fedit", 10, [50, 40, 30, 30, 30], 30, 3.4), null)).ToList(),
        };
        var c = ComparisonBuilder.Build(Config(), runs);
        Assert.Equal("perplexity", c.Metric);
        Assert.Equal(30, c.CommonTarget, 12);   // fedit's final smoothed value: the higher (worse) of the two
        Assert.StartsWith("highest", c.CommonTargetRule);
        var fedspine = c.Arms.Single(a => a.Name == "fedspine");
        var fedit = c.Arms.Single(a => a.Name == "fedit");
        Assert.All(fedspine.TimeToCommonPerSeed, t => Assert.Equal(20, t));   // 23.33 at 20 s
        Assert.All(fedit.TimeToCommonPerSeed, t => Assert.Equal(50, t));
        Assert.Equal([20.0, 20, 20], fedspine.FinalAccuracyPerSeed);
        var versus = Assert.Single(c.Versus);
        Assert.Equal(2.5, versus.Speedup.Mean!.Value, 12);
        Assert.Equal("fedspine faster", versus.SpeedupVerdict);
        Assert.Equal(-0.4, versus.AccuracyDifference.Mean!.Value, 12);
        Assert.Equal("fedspine lower perplexity", versus.AccuracyVerdict);
        Assert.Equal(30, c.BestBaselineTarget!.Value, 12);
        Assert.Equal(3.4, fedit.FinalAccuracy.Mean!.Value, 12);   // the interval is over the per-example loss
    }

    [Fact]
    public void Simulate_times_a_perplexity_run_to_the_lowest_baseline_from_above()
    {
        var timed = SimulationRunner.Timed(
            [Result("fedspine", 5, [50, 30, 20], 20, 3.0), Result("fedit", 10, [50, 40, 25], 25, 3.2), Result("hetlora", 10, [60, 45, 35], 35, 3.5)],
            target: null);
        Assert.All(timed, r => Assert.Equal(25, r.TargetAccuracy));   // the lowest baseline perplexity
        Assert.Equal(15, timed[0].TimeToTargetSeconds);              // fedspine reaches ≤ 25 at its third evaluation
        Assert.Equal(30, timed[1].TimeToTargetSeconds);
        Assert.Null(timed[2].TimeToTargetSeconds);
    }
}
