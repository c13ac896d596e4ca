// report.md of an experiment: how it was measured (targets, smoothing, intervals), the per-arm table, the reference
// against every other arm (paired differences and speed-ups with verdicts), for instruct runs each device's own-category
// perplexity against the global test set, per-class bandit choices, and the plots. Accuracy or perplexity, as the runs.
using System.Globalization;
using System.Text;
using FedSpine.Federated.Experiments;
using FedSpine.Federated.Runs;

namespace FedSpine.Cli.Experiment;

internal static class ExperimentReport
{
    public static string Markdown(Comparison c, IReadOnlyList<string> plots)
    {
        var sb = new StringBuilder();
        string seeds = string.Join(", ", c.Seeds);
        sb.AppendLine(I($"# Experiment: {c.Task}, {c.Devices}, S* = {c.Sparsity}, {c.Rounds} rounds x {c.LocalSteps} local steps, seeds {seeds}")).AppendLine();
        sb.AppendLine(I($"Config: `{c.Source}`. Reference arm: **{c.Reference}**.")).AppendLine();
        bool ppl = c.Metric == "perplexity";
        string T(double v) => ppl ? I($"perplexity {v:0.00}") : P(v);
        sb.AppendLine("## How it is measured").AppendLine();
        if (ppl)
        {
            sb.AppendLine("- **Metric: response perplexity** (the instruct task; lower is better). Curves, targets and times are in perplexity; " +
                "the final interval and the paired differences are over the mean per-example response loss (nats per token, lower is better), with its bootstrap interval.");
            sb.AppendLine(I($"- **Final perplexity**: response perplexity of each final device model (its pruned base + the global LoRA at its last rank, merged; no head) on all {c.FinalExamples} examples of the global test set, combined over the devices as exp of their mean loss; mean over seeds. 95% interval (of the mean per-example loss): two-way bootstrap (seeds and test examples resampled independently, 2,000+ replicates, percentile interval)."));
            sb.AppendLine(I($"- **Curves**: the same response perplexity on a fixed seeded sample of {c.CurveExamples} test examples (the same for every arm and seed), every evaluation round."));
            sb.AppendLine(I($"- **Time to perplexity** (PyramidFL / FedBalancer / Oort style, lower is better): each curve is smoothed by a trailing moving average over the last {c.SmoothingWindow} evaluations; the time is the first simulated time the smoothed curve reaches the target or goes below it. Mean and t interval over the seeds that reached it."));
        }
        else
        {
            sb.AppendLine(I($"- **Final accuracy**: mean over the devices of each final device model (its pruned base + the global LoRA at its last rank, merged, + the global head) on all {c.FinalExamples} examples of the global test set; mean over seeds. 95% interval: two-way bootstrap (seeds and test examples resampled independently, 2,000+ replicates, percentile interval)."));
            sb.AppendLine(I($"- **Curves**: the same mean accuracy on a fixed seeded sample of {c.CurveExamples} test examples (the same for every arm and seed), every evaluation round."));
            sb.AppendLine(I($"- **Time to accuracy** (PyramidFL / FedBalancer / Oort style): each curve is smoothed by a trailing moving average over the last {c.SmoothingWindow} evaluations; the time is the first simulated time the smoothed curve reaches the target. Mean and t interval over the seeds that reached it."));
        }
        sb.AppendLine(I($"- **Common target** = {T(c.CommonTarget)}: {c.CommonTargetRule}, so every arm reaches it on average."));
        if (c.BestBaselineTarget is double best)
        {
            sb.AppendLine(I($"- **Best-baseline target** = {T(best)}: the best mean final {(ppl ? "perplexity (the lowest)" : "accuracy")} among the arms other than {c.Reference} ({c.BestBaseline}); an arm that never reaches it shows \"never\"."));
        }
        sb.AppendLine(I($"- **Speed-up** of {c.Reference} over an arm = that arm's time / {c.Reference}'s time to the common target, per seed; summarised as the geometric mean with the t interval of the log ratios."));
        sb.AppendLine(I($"- **Differences** {c.Reference} minus each arm are paired (same seeds, same examples). A difference whose 95% interval contains 0 (a speed-up whose interval contains 1) is reported as \"no difference\", whichever way it points."));
        sb.AppendLine();

        sb.AppendLine("## Results").AppendLine();
        sb.AppendLine($"| arm | {(ppl ? "final perplexity; per-example loss [95% CI]" : "final accuracy [95% CI]")} | time to common target (s) [95% CI], seeds reaching | time to best-baseline target (s) | simulated time (s) | MB sent | decode ms/token | parameters | device sparsity min / mean / max | wall per seed |");
        sb.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (var a in c.Arms)
        {
            int reached = a.TimeToCommonPerSeed.Count(t => t is not null);
            int reachedBest = a.TimeToBestBaselinePerSeed.Count(t => t is not null);
            sb.AppendLine(I($"| {a.Name} | {(ppl ? I($"{a.FinalAccuracyPerSeed.Average():0.00}; ") + Num(a.FinalAccuracy, "0.000") : Pct(a.FinalAccuracy))} | {Num(a.TimeToCommon, "0.0")}, {reached}/{a.TimeToCommonPerSeed.Count} | {(reachedBest == 0 ? "never" : Num(a.TimeToBestBaseline, "0.0"))}, {reachedBest}/{a.TimeToBestBaselinePerSeed.Count} | {Num(a.SimTime, "0.0")} | {a.BytesSent.Mean / 1e6:0} | {a.Latency.Mean:0.000} | {a.MeanParameters / 1e6:0.00}M | {P(a.SparsityMin)} / {P(a.SparsityMean)} / {P(a.SparsityMax)} | {string.Join(", ", a.WallSecondsPerSeed.Select(w => I($"{w / 60:0.0} min")))} |"));
        }
        sb.AppendLine();
        sb.AppendLine(I($"## {c.Reference} against each arm (paired)")).AppendLine();
        sb.AppendLine($"| other arm | {(ppl ? "loss difference, nats per token [95% CI]" : "accuracy difference, points [95% CI]")} | verdict | speed-up to common target [95% CI] | per seed | verdict | speed-up to best-baseline target, per seed |");
        sb.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var v in c.Versus)
        {
            var d = v.AccuracyDifference;
            string diff = d.Mean is not double m ? "-"
                : ppl ? I($"{m:+0.000;-0.000} [{d.Low:+0.000;-0.000}, {d.High:+0.000;-0.000}] (loss)")   // nats per token
                : I($"{100 * m:+0.00;-0.00} [{100 * d.Low:+0.00;-0.00}, {100 * d.High:+0.00;-0.00}]");
            sb.AppendLine(I($"| {v.Other} | {diff} | {v.AccuracyVerdict} | {Ratio(v.Speedup)} | {Seeds(v.SpeedupPerSeed)} | {v.SpeedupVerdict} | {Seeds(v.SpeedupBestBaselinePerSeed)} |"));
        }
        sb.AppendLine();

        if (ppl)
        {
            OwnCategories(c, sb);
        }
        var reference = c.Arms.Single(a => a.Name == c.Reference);
        if (reference.Classes.Count > 0)
        {
            sb.AppendLine(I($"## What {c.Reference}'s bandits chose, by device class (first third of the rounds → last third, mean over seeds)")).AppendLine();
            sb.AppendLine("| class | rank | pruning step | device sparsity |").AppendLine("|---|---|---|---|");
            foreach (var s in reference.Classes)
            {
                sb.AppendLine(I($"| {s.DeviceClass} | {Thirds(s.Rank, "0.0")} | {Thirds(s.Step, "0.000")} | {Thirds(s.Sparsity, "0.000")} |"));
            }
            sb.AppendLine();
        }
        sb.AppendLine("Completion-time CV within a round (first third → last third of the rounds, mean over seeds):").AppendLine();
        foreach (var a in c.Arms)
        {
            sb.AppendLine(I($"- {a.Name}: {Thirds(a.CompletionCv, "0.000")}"));
        }
        sb.AppendLine().AppendLine("## Plots").AppendLine();
        foreach (string plot in plots)
        {
            sb.AppendLine($"![{Path.GetFileNameWithoutExtension(plot)}]({plot})").AppendLine();
        }
        return sb.ToString();
    }

    // Each device's final model on the test records of its own categories against the whole global test set.
    private static void OwnCategories(Comparison c, StringBuilder sb)
    {
        var arms = c.Arms.Where(a => a.DevicePerplexityPerSeed is { Count: > 0 }).ToList();
        if (arms.Count == 0)
        {
            return;
        }
        sb.AppendLine("## Each device's model on its own categories against the whole test set").AppendLine();
        sb.AppendLine("Own categories: the categories of the device's training data (one per device when split by category). Perplexity of each final device model on the global test records of those categories beside all of the global test set; geometric mean over the devices, mean over seeds.").AppendLine();
        sb.AppendLine("| arm | own-category perplexity | global perplexity | own / global | devices lower on their own categories |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var a in arms)
        {
            var seeds = a.DevicePerplexityPerSeed!.Select(DevicePerplexity.Summarise).Where(s => s.Devices > 0).ToList();
            if (seeds.Count == 0)
            {
                continue;
            }
            double own = seeds.Average(s => s.Own), global = seeds.Average(s => s.Global);
            sb.AppendLine(I($"| {a.Name} | {own:0.00} | {global:0.00} | {own / global:0.000} | {string.Join(", ", seeds.Select(s => $"{s.OwnLower}/{s.Devices}"))} |"));
        }
        sb.AppendLine().AppendLine(I($"Per device, seed {c.Seeds[0]} (own categories: own-category / global perplexity):")).AppendLine();
        foreach (var a in arms)
        {
            sb.AppendLine($"- {a.Name}: " + string.Join("; ", a.DevicePerplexityPerSeed![0].Select(d =>
                I($"d{d.Device} ({string.Join("+", d.Categories)}) {(d.OwnCategoryPerplexity is double o ? o.ToString("0.00", CultureInfo.InvariantCulture) : "-")} / {d.GlobalPerplexity:0.00}"))));
        }
        sb.AppendLine();
    }

    private static string Thirds(IReadOnlyList<double?> series, string format)
    {
        int third = Math.Max(1, series.Count / 3);
        double? Mean(IEnumerable<double?> part)
        {
            var v = part.Where(x => x is not null).Select(x => x!.Value).ToList();
            return v.Count == 0 ? null : v.Average();
        }
        var early = Mean(series.Take(third));
        var late = Mean(series.Skip(series.Count - third));
        string F(double? x) => x is double d ? d.ToString(format, CultureInfo.InvariantCulture) : "-";
        return $"{F(early)} → {F(late)}";
    }

    private static string Pct(Estimate e) => e.Mean is double m
        ? (e.Low is double l && e.High is double h ? I($"{100 * m:0.00}% [{100 * l:0.00}, {100 * h:0.00}]") : I($"{100 * m:0.00}%"))
        : "-";

    private static string Num(Estimate e, string format) => e.Mean is double m
        ? m.ToString(format, CultureInfo.InvariantCulture) + (e.Low is double l && e.High is double h
            ? $" [{l.ToString(format, CultureInfo.InvariantCulture)}, {h.ToString(format, CultureInfo.InvariantCulture)}]" : "")
        : "never";

    private static string Ratio(Estimate e) => e.Mean is double m
        ? I($"{m:0.00}x") + (e.Low is double l && e.High is double h ? I($" [{l:0.00}, {h:0.00}]") : "")
        : "-";

    private static string Seeds(IReadOnlyList<double?> values) => string.Join(", ", values.Select(v => v is double x ? I($"{x:0.00}") : "-"));

    private static string P(double v) => I($"{100 * v:0.0}%");

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
