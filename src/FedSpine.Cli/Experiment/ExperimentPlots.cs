// The plots of an experiment (PNG, ScottPlot): accuracy (response perplexity for instruct runs) against simulated time
// per arm (mean over seeds, min-max band), the final score per arm with its 95% interval, and for the reference arm rank, step and sparsity per device class by round
// beside every arm's within-round completion-time CV.
using FedSpine.Federated.Experiments;
using FedSpine.Federated.Runs;
using ScottPlot;

namespace FedSpine.Cli.Experiment;

internal static class ExperimentPlots
{
    private const int Width = 900, Height = 560;

    /// <summary>Writes every plot into folder; returns the file names written, in the report's order.</summary>
    public static IReadOnlyList<string> Write(Comparison c, string folder)
    {
        var files = new List<string>
        {
            Save(ScoreVsTime(c), folder, Perplexity(c) ? "perplexity_vs_time.png" : "accuracy_vs_time.png"),
            Save(FinalScore(c), folder, Perplexity(c) ? "final_perplexity.png" : "final_accuracy.png"),
        };
        var reference = c.Arms.Single(a => a.Name == c.Reference);
        if (reference.Classes.Count > 0)
        {
            files.Add(Save(ClassSeries(reference, "rank", s => s.Rank, "LoRA rank played"), folder, "classes_rank.png"));
            files.Add(Save(ClassSeries(reference, "pruning step", s => s.Step, "pruning step played"), folder, "classes_step.png"));
            files.Add(Save(ClassSeries(reference, "device sparsity", s => s.Sparsity, "prunable parameters removed"), folder, "classes_sparsity.png"));
        }
        files.Add(Save(CompletionCv(c), folder, "completion_cv.png"));
        return files;
    }

    private static void Title(Plot plot, string text)
    {
        plot.Title(text);
        plot.Axes.Title.Label.FontSize = 15;
    }

    private static string Save(Plot plot, string folder, string name)
    {
        plot.SavePng(Path.Combine(folder, name), Width, Height);
        return name;
    }

    private static bool Perplexity(Comparison c) => c.Metric == MethodResult.PerplexityMetric;

    // Accuracy in percent, or response perplexity as it is.
    private static Plot ScoreVsTime(Comparison c)
    {
        bool ppl = Perplexity(c);
        double scale = ppl ? 1 : 100;
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < c.Arms.Count; i++)
        {
            var arm = c.Arms[i];
            if (arm.Curve.Count == 0)
            {
                continue;
            }
            var color = palette.GetColor(i);
            double[] x = arm.Curve.Select(p => p.SimTime).ToArray();
            var band = plot.Add.FillY(x, arm.Curve.Select(p => scale * p.Min).ToArray(), arm.Curve.Select(p => scale * p.Max).ToArray());
            band.FillColor = color.WithAlpha(0.10);
            band.LineWidth = 0;
            var line = plot.Add.ScatterLine(x, arm.Curve.Select(p => scale * p.Mean).ToArray());
            line.Color = color;
            line.LineWidth = arm.Name == c.Reference ? 3 : 1.5f;
            line.LegendText = arm.Name;
        }
        var target = plot.Add.HorizontalLine(scale * c.CommonTarget);
        target.LinePattern = LinePattern.Dashed;
        target.Color = Colors.Gray;
        target.LegendText = ppl ? $"common target {c.CommonTarget:0.00}" : $"common target {100 * c.CommonTarget:0.0}%";
        string what = ppl ? "response perplexity (lower is better)" : "accuracy";
        Title(plot, $"{c.Task}: {what} on {c.CurveExamples} test examples, mean of {c.Seeds.Count} seeds (band: min-max)");
        plot.XLabel("simulated time (s)");
        plot.YLabel(ppl ? "response perplexity" : "accuracy (%)");
        plot.ShowLegend(ppl ? Alignment.UpperRight : Alignment.LowerRight);
        return plot;
    }

    // The final score per arm: the mean over seeds with its 95% interval and each seed as a dot. Accuracy in percent with
    // its bootstrap interval; for instruct runs response perplexity, the interval of the mean per-example loss drawn as
    // the factor exp(low − mean) .. exp(high − mean) around the mean perplexity.
    private static Plot FinalScore(Comparison c)
    {
        bool ppl = Perplexity(c);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < c.Arms.Count; i++)
        {
            var e = c.Arms[i].FinalAccuracy;   // accuracy, or the per-example loss of a perplexity run
            var perSeed = c.Arms[i].FinalAccuracyPerSeed.Select(a => ppl ? a : 100 * a).ToArray();
            double? center = ppl ? (perSeed.Length > 0 ? perSeed.Average() : null) : 100 * e.Mean;
            if (center is not double mean)
            {
                continue;
            }
            var marker = plot.Add.Marker(i, mean);
            marker.Color = palette.GetColor(i);
            marker.Size = 10;
            if (e.Mean is double m && e.Low is double low && e.High is double high)
            {
                double up = ppl ? mean * (Math.Exp(high - m) - 1) : 100 * (high - m);
                double down = ppl ? mean * (1 - Math.Exp(low - m)) : 100 * (m - low);
                var bar = new ScottPlot.Plottables.ErrorBar([(double)i], [mean], null, null, [up], [down]);
                plot.Add.Plottable(bar);
                bar.Color = palette.GetColor(i);
                bar.LineWidth = 2;
            }
            var seeds = plot.Add.ScatterPoints(perSeed.Select(_ => i + 0.15).ToArray(), perSeed);
            seeds.Color = palette.GetColor(i).WithAlpha(0.5);
            seeds.MarkerSize = 5;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            c.Arms.Select((a, i) => new Tick(i, a.Name)).ToArray());
        Title(plot, ppl
            ? $"{c.Task}: final response perplexity on all {c.FinalExamples} test examples (lower is better), 95% interval; dots: seeds"
            : $"{c.Task}: final accuracy on all {c.FinalExamples} test examples, 95% interval; dots: seeds");
        plot.YLabel(ppl ? "response perplexity" : "accuracy (%)");
        plot.Axes.SetLimitsX(-0.6, c.Arms.Count - 0.4);
        return plot;
    }

    private static Plot ClassSeries(ArmSummary arm, string what, Func<ClassSeries, IReadOnlyList<double?>> series, string yLabel)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < arm.Classes.Count; i++)
        {
            var values = series(arm.Classes[i]);
            var points = values.Select((v, t) => (Round: t + 1.0, Value: v)).Where(p => p.Value is not null).ToArray();
            var line = plot.Add.ScatterLine(points.Select(p => p.Round).ToArray(), points.Select(p => p.Value!.Value).ToArray());
            line.Color = palette.GetColor(i);
            line.LineWidth = 2;
            line.LegendText = arm.Classes[i].DeviceClass;
        }
        Title(plot, $"{arm.Name}: {what} by device class and round (mean over devices and seeds)");
        plot.XLabel("round");
        plot.YLabel(yLabel);
        plot.ShowLegend();
        return plot;
    }

    private static Plot CompletionCv(Comparison c)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int i = 0; i < c.Arms.Count; i++)
        {
            var arm = c.Arms[i];
            var known = arm.CompletionCv.Select((v, t) => (Round: t + 1.0, Value: v)).Where(p => p.Value is not null).ToArray();
            if (known.Length == 0)
            {
                continue;
            }
            var smoothed = TimeToTarget.Smooth(known.Select(p => p.Value!.Value).ToArray(), 5);
            var line = plot.Add.ScatterLine(known.Select(p => p.Round).ToArray(), smoothed);
            line.Color = palette.GetColor(i);
            line.LineWidth = arm.Name == c.Reference ? 3 : 1.5f;
            line.LegendText = arm.Name;
        }
        Title(plot, "completion-time CV within a round (moving average of 5 rounds, mean of seeds)");
        plot.XLabel("round");
        plot.YLabel("coefficient of variation");
        plot.ShowLegend();
        return plot;
    }
}
