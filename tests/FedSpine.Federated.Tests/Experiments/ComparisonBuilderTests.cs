// comparison.json from hand-made results with known answers: the common target, time to it on smoothed curves, the
// speed-up per seed and its verdict, the paired accuracy difference, and refusing a seed without per-example scores.
using System.Text.Json.Nodes;
using FedSpine.Federated.Experiments;
using FedSpine.Federated.Runs;

namespace FedSpine.Federated.Tests.Experiments;

public sealed class ComparisonBuilderTests
{
    private static ExperimentConfig Config() => ExperimentConfig.Parse(new JsonObject
    {
        ["model"] = "unused",
        ["methods"] = new JsonArray("fedspine", "fedit"),
        ["seeds"] = new JsonArray(1, 2, 3),
    }, "test");

    // Evaluations every `step` simulated seconds; per-example accuracy all equal to `final`.
    private static MethodResult Result(string method, double step, double[] curve, double final) => new()
    {
        Method = method,
        FinalAccuracy = final,
        Curve = curve.Select((a, i) => new RoundPoint(i + 1, step * (i + 1), step, a, null, 0, 4, 4, 0, 0)).ToList(),
        ExampleAccuracy = Enumerable.Repeat(final, 50).ToArray(),
        FinalExamples = 50,
        CurveExamples = 20,
    };

    private static Dictionary<string, IReadOnlyList<SeedRun>> Runs(Func<ulong, MethodResult> fedspine, Func<ulong, MethodResult> fedit) => new()
    {
        ["fedspine"] = new ulong[] { 1, 2, 3 }.Select(s => new SeedRun(s, fedspine(s), null)).ToList(),
        ["fedit"] = new ulong[] { 1, 2, 3 }.Select(s => new SeedRun(s, fedit(s), null)).ToList(),
    };

    [Fact]
    public void Known_curves_give_the_known_target_times_and_speed_up()
    {
        // fedspine smoothed (window 3): 0.5, 0.6, 0.667, 0.767, 0.8 at 5..25 s; fedit: 0.5, 0.55, 0.6, 0.667, 0.7 at 10..50 s.
        var c = ComparisonBuilder.Build(Config(), Runs(
            _ => Result("fedspine", 5, [0.5, 0.7, 0.8, 0.8, 0.8], 0.80),
            _ => Result("fedit", 10, [0.5, 0.6, 0.7, 0.7, 0.7], 0.70)));

        Assert.Equal(0.7, c.CommonTarget, 12);   // fedit's final smoothed value: the lower of the two
        var fedspine = c.Arms.Single(a => a.Name == "fedspine");
        var fedit = c.Arms.Single(a => a.Name == "fedit");
        Assert.All(fedspine.TimeToCommonPerSeed, t => Assert.Equal(20, t));
        Assert.All(fedit.TimeToCommonPerSeed, t => Assert.Equal(50, t));
        var versus = Assert.Single(c.Versus);
        Assert.Equal("fedit", versus.Other);
        Assert.All(versus.SpeedupPerSeed, r => Assert.Equal(2.5, r!.Value, 12));
        Assert.Equal(2.5, versus.Speedup.Mean!.Value, 12);
        Assert.Equal("fedspine faster", versus.SpeedupVerdict);
        Assert.Equal(0.10, versus.AccuracyDifference.Mean!.Value, 12);
        Assert.Equal(0.10, versus.AccuracyDifference.Low!.Value, 12);
        Assert.Equal("fedspine more accurate", versus.AccuracyVerdict);
        Assert.Equal("fedit", c.BestBaseline);
        Assert.Equal(0.70, c.BestBaselineTarget!.Value, 12);
    }

    [Fact]
    public void Speed_ups_that_disagree_across_seeds_are_no_difference()
    {
        // Seed 1: fedspine twice as fast; seed 2: half as fast; seed 3: equal. Geometric mean 1, interval wide.
        double[] fedspineStep = [5, 20, 10];
        var c = ComparisonBuilder.Build(Config(), Runs(
            s => Result("fedspine", fedspineStep[s - 1], [0.5, 0.7, 0.8, 0.8, 0.8], 0.75),
            _ => Result("fedit", 10, [0.5, 0.7, 0.8, 0.8, 0.8], 0.75)));
        var versus = Assert.Single(c.Versus);
        Assert.Equal([2.0, 0.5, 1.0], versus.SpeedupPerSeed.Select(r => r!.Value));
        Assert.Equal(1, versus.Speedup.Mean!.Value, 12);
        Assert.Equal("no difference", versus.SpeedupVerdict);
        Assert.Equal("no difference", versus.AccuracyVerdict);
    }

    [Fact]
    public void A_seed_without_per_example_scores_is_refused()
    {
        var runs = Runs(_ => Result("fedspine", 5, [0.5], 0.8), _ => Result("fedit", 5, [0.5], 0.7) with { ExampleAccuracy = [] });
        var e = Assert.Throws<InvalidDataException>(() => ComparisonBuilder.Build(Config(), runs));
        Assert.Contains("fedit", e.Message);
    }
}
