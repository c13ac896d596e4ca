// Instruct (perplexity) runs in what simulate and experiment write, from hand-made results: report.md, the printed summary
// and the plots say perplexity, never accuracy; the own-category table holds the known geometric means; plot files are named
// for perplexity; a classification comparison still says accuracy.
using System.Text.Json.Nodes;
using FedSpine.Cli.Experiment;
using FedSpine.Cli.Simulate;
using FedSpine.Federated.Experiments;
using FedSpine.Federated.Runs;

namespace FedSpine.Cli.Tests;

public sealed class PerplexityReportTests
{
    private static ExperimentConfig Config() => ExperimentConfig.Parse(new JsonObject
    {
        ["model"] = "unused",
        ["task"] = "instruct",
        ["methods"] = new JsonArray("fedspine", "hetlora"),
        ["seeds"] = new JsonArray(1, 2),
    }, "test");

    // Evaluations every `step` simulated seconds of perplexity `curve`; two devices with the given own-category perplexities
    // (global 20 each); per-example loss all `loss`.
    private static MethodResult Result(string method, double step, double[] curve, double final, double loss, bool perplexity = true) => new()
    {
        Method = method,
        Metric = perplexity ? MethodResult.PerplexityMetric : null,
        FinalPerplexity = perplexity ? final : null,
        FinalAccuracy = perplexity ? 1 / final : final,
        Curve = curve.Select((p, i) => new RoundPoint(i + 1, step * (i + 1), step, perplexity ? 1 / p : p, null, 0, 2, 2, 0, 0)
            { Perplexity = perplexity ? p : null }).ToList(),
        ExampleLoss = perplexity ? Enumerable.Repeat(loss, 30).ToArray() : null,
        ExampleAccuracy = perplexity ? [] : Enumerable.Repeat(loss, 30).ToArray(),
        CategoryPerplexity = perplexity ? new Dictionary<string, double> { ["open_qa"] = 10, ["summarization"] = 40 } : null,
        DevicePerplexity = perplexity ? [new DevicePerplexity(0, ["open_qa"], 10, 20), new DevicePerplexity(1, ["summarization"], 20, 20)] : null,
        FinalExamples = 30,
        CurveExamples = 10,
    };

    private static Comparison Build(bool perplexity)
    {
        double[] spine = perplexity ? [50, 30, 20, 20] : [0.5, 0.6, 0.7, 0.7];
        double[] het = perplexity ? [50, 40, 30, 30] : [0.5, 0.55, 0.6, 0.6];
        var runs = new Dictionary<string, IReadOnlyList<SeedRun>>
        {
            ["fedspine"] = new ulong[] { 1, 2 }.Select(s => new SeedRun(s, Result("fedspine", 5, spine, spine[^1], perplexity ? 3.0 : 0.7, perplexity), null)).ToList(),
            ["hetlora"] = new ulong[] { 1, 2 }.Select(s => new SeedRun(s, Result("hetlora", 10, het, het[^1], perplexity ? 3.4 : 0.6, perplexity), null)).ToList(),
        };
        return ComparisonBuilder.Build(Config(), runs);
    }

    [Fact]
    public void An_instruct_experiment_report_says_perplexity_and_shows_own_categories()
    {
        var c = Build(perplexity: true);
        string folder = Path.Combine(Path.GetTempPath(), "fedspine-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var plots = ExperimentPlots.Write(c, folder);
        Assert.Equal("perplexity_vs_time.png", plots[0]);
        Assert.Equal("final_perplexity.png", plots[1]);
        Assert.All(plots, p => Assert.True(new FileInfo(Path.Combine(folder, p)).Length > 1000, p));
        Assert.False(File.Exists(Path.Combine(folder, "accuracy_vs_time.png")));

        string report = ExperimentReport.Markdown(c, plots);
        Assert.DoesNotContain("accura", report, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Final perplexity", report, StringComparison.Ordinal);
        Assert.Contains("Time to perplexity", report, StringComparison.Ordinal);
        Assert.Contains("| hetlora | 30.00; 3.400", report, StringComparison.Ordinal);   // mean final perplexity; per-example loss
        // Own-category geometric mean sqrt(10 · 20) = 14.14 against 20; one of two devices lower, in both seeds.
        Assert.Contains("| fedspine | 14.14 | 20.00 | 0.707 | 1/2, 1/2 |", report, StringComparison.Ordinal);
        Assert.Contains("d1 (summarization) 20.00 / 20.00", report, StringComparison.Ordinal);

        string summary = ExperimentSummary.Text(c);
        Assert.DoesNotContain("accura", summary, StringComparison.OrdinalIgnoreCase);
        // hetlora smoothed over 3: (40 + 30 + 30) / 3
        Assert.Contains("common target response perplexity 33.33", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void An_instruct_simulate_report_says_perplexity_and_shows_own_categories()
    {
        var timed = SimulationRunner.Timed([Result("fedspine", 5, [50, 30, 20], 20, 3.0), Result("hetlora", 10, [50, 40, 30], 30, 3.4)], target: null);
        string markdown = SummaryTable.Markdown(timed, [], "tiny");
        string text = SummaryTable.Text(timed);
        Assert.DoesNotContain("accura", markdown, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("accura", text, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("target response perplexity: 30.000.", markdown, StringComparison.Ordinal);
        Assert.Contains("- fedspine: d0 (open_qa) 10.00 / 20.00; d1 (summarization) 20.00 / 20.00; mean 14.14 / 20.00, 1/2 devices lower", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void A_classification_experiment_report_still_says_accuracy()
    {
        var c = Build(perplexity: false);
        Assert.Null(c.Metric);
        string report = ExperimentReport.Markdown(c, []);
        Assert.Contains("Final accuracy", report, StringComparison.Ordinal);
        Assert.DoesNotContain("perplexity", report, StringComparison.OrdinalIgnoreCase);
    }
}
