// The summary of a simulate run as a fixed-width table (printed) and as Markdown (report.md): per method the final accuracy
// of the device models (instruct: response perplexity, ROUGE-L, each device's own-category beside global perplexity),
// sparsity, simulated time to the target and in total, bytes sent, latency.
using System.Globalization;
using System.Text;
using FedSpine.Federated.Runs;

namespace FedSpine.Cli.Simulate;

internal static class SummaryTable
{
    private static readonly string[] Header =
        ["method", "final acc", "device acc range", "sparsity", "time to target", "sim time", "MB sent", "ms/token", "params"];

    private static readonly string[] PerplexityHeader =
        ["method", "final ppl", "device ppl range", "ROUGE-L", "sparsity", "time to target", "sim time", "MB sent", "ms/token", "params"];

    private static bool Perplexity(IReadOnlyList<MethodResult> results) => results.FirstOrDefault()?.FinalPerplexity is not null;

    private static string[] HeaderOf(IReadOnlyList<MethodResult> results) => Perplexity(results) ? PerplexityHeader : Header;

    public static string Text(IReadOnlyList<MethodResult> results)
    {
        var rows = Rows(results);
        var header = HeaderOf(results);
        var widths = header.Select((h, c) => Math.Max(h.Length, rows.Max(r => r[c].Length))).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine(string.Join("  ", header.Select((h, c) => h.PadRight(widths[c]))));
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            sb.AppendLine(string.Join("  ", row.Select((v, c) => c == 0 ? v.PadRight(widths[c]) : v.PadLeft(widths[c]))));
        }
        if (Perplexity(results) && results[0].TargetAccuracy is double targetPpl)
        {
            sb.AppendLine(Invariant($"target response perplexity {targetPpl:F3} (lower is better: the devices' models on the evaluation sample; the best baseline's final value unless given)"));
        }
        else if (results.FirstOrDefault()?.TargetAccuracy is double target)
        {
            sb.AppendLine(Invariant($"target accuracy {target:P1} (mean accuracy of the device models on the evaluation set; the best baseline's final value unless given)"));
        }
        return sb.ToString();
    }

    public static string Markdown(IReadOnlyList<MethodResult> results, IReadOnlyList<ArmReport> arms, string title)
    {
        var sb = new StringBuilder();
        var header = HeaderOf(results);
        sb.AppendLine($"# {title}").AppendLine();
        sb.AppendLine("| " + string.Join(" | ", header) + " |");
        sb.AppendLine("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var row in Rows(results))
        {
            sb.AppendLine("| " + string.Join(" | ", row) + " |");
        }
        if (Perplexity(results))
        {
            sb.AppendLine().AppendLine("final ppl: response perplexity (lower is better) of the final device models (pruned base + global LoRA, merged) on the whole global test set: exp of the mean over devices of each model's mean loss on response and end-of-text tokens. ROUGE-L: mean F1 of greedy responses on a fixed sample of test records.");
            sb.AppendLine("time to target: simulated seconds until the devices' response perplexity on the evaluation sample first reached the target or went below it.");
            if (results[0].TargetAccuracy is double targetPpl)
            {
                sb.AppendLine(Invariant($"target response perplexity: {targetPpl:F3}."));
            }
            foreach (var r in results.Where(r => r.CategoryPerplexity is not null))
            {
                sb.AppendLine($"- {r.Method} by category: " + string.Join(", ", r.CategoryPerplexity!.Select(c => Invariant($"{c.Key} {c.Value:F2}"))));
            }
            var owned = results.Where(r => r.DevicePerplexity is { Count: > 0 }).ToList();
            if (owned.Count > 0)
            {
                sb.AppendLine().AppendLine("## Each device's model on its own categories against the whole test set").AppendLine();
                sb.AppendLine("Per device: its categories (those of its training data), response perplexity on the global test records of those categories / on the whole global test set; then the geometric mean over the devices.").AppendLine();
                foreach (var r in owned)
                {
                    var (own, global, lower, scored) = DevicePerplexity.Summarise(r.DevicePerplexity!);
                    sb.AppendLine($"- {r.Method}: " + string.Join("; ", r.DevicePerplexity!.Select(d =>
                        Invariant($"d{d.Device} ({string.Join("+", d.Categories)}) {(d.OwnCategoryPerplexity is double o ? o.ToString("F2", CultureInfo.InvariantCulture) : "-")} / {d.GlobalPerplexity:F2}")))
                        + Invariant($"; mean {own:F2} / {global:F2}, {lower}/{scored} devices lower on their own categories"));
                }
            }
            sb.AppendLine().AppendLine("## Mean device-model response perplexity by round and simulated time").AppendLine();
            foreach (var r in results.Where(r => r.Curve.Count > 0))
            {
                sb.AppendLine($"- {r.Method}: " + string.Join(", ", r.Curve.Where(p => p.Perplexity is not null).Select(p => Invariant($"r{p.Round} {p.SimTimeSeconds:0}s {p.Perplexity:F2}"))));
            }
            var shown = results.Where(r => r.Responses is { Count: > 0 }).ToList();
            if (shown.Count > 0)
            {
                sb.AppendLine().AppendLine("## A few test instructions and each method's greedy response (device 0's final model)").AppendLine();
                for (int k = 0; k < shown[0].Responses!.Count; k++)
                {
                    var first = shown[0].Responses![k];
                    sb.AppendLine($"**{first.Category}**: {OneLine(first.Instruction)}" + (first.Context.Length > 0 ? $" (context: {OneLine(first.Context, 160)})" : "")).AppendLine();
                    sb.AppendLine($"- reference: {OneLine(first.Reference)}");
                    foreach (var r in shown.Where(r => r.Responses!.Count > k))
                    {
                        sb.AppendLine(Invariant($"- {r.Method} (ROUGE-L {r.Responses![k].RougeL:F3}): {OneLine(r.Responses[k].Response)}"));
                    }
                    sb.AppendLine();
                }
            }
            return sb.ToString();
        }
        sb.AppendLine().AppendLine("final acc: mean over devices of each final device model (pruned base + global LoRA at its last rank, merged) on the global test set.");
        sb.AppendLine("time to target: simulated seconds until the mean accuracy of the device models on the evaluation set first reached the target accuracy.");
        if (results.FirstOrDefault()?.TargetAccuracy is double target)
        {
            sb.AppendLine(Invariant($"target accuracy: {target:P1}."));
        }
        sb.AppendLine().AppendLine("## Mean device-model accuracy by round and simulated time").AppendLine();
        foreach (var r in results.Where(r => r.Curve.Count > 0))
        {
            sb.AppendLine($"- {r.Method}: " + string.Join(", ", r.Curve.Where(p => p.Accuracy is not null).Select(p => Invariant($"r{p.Round} {p.SimTimeSeconds:0}s {p.Accuracy:P1}"))));
        }
        sb.AppendLine().AppendLine("## What the bandits chose, by device class (first third of the rounds → last third)").AppendLine();
        sb.AppendLine("| method | class | pruning step | rank | completion time |").AppendLine("|---|---|---|---|---|");
        foreach (var a in arms)
        {
            foreach (var c in a.Classes)
            {
                sb.AppendLine(Invariant($"| {a.Method} | {c.DeviceClass} | {c.EarlyStep:0.000} → {c.LateStep:0.000} | {c.EarlyRank:0.0} → {c.LateRank:0.0} | {c.EarlySeconds:0.0} s → {c.LateSeconds:0.0} s |"));
            }
        }
        sb.AppendLine().AppendLine("Spread of completion times within a round (coefficient of variation, first third → last third):").AppendLine();
        foreach (var a in arms)
        {
            sb.AppendLine(Invariant($"- {a.Method}: {a.EarlyCompletionCv:0.000} → {a.LateCompletionCv:0.000}"));
        }
        return sb.ToString();
    }

    private static List<string[]> Rows(IReadOnlyList<MethodResult> results) => Perplexity(results) ? results.Select(r => new[]
    {
        r.Method,
        Invariant($"{r.FinalPerplexity:F3}"),
        Invariant($"{r.MinDevicePerplexity:F2}-{r.MaxDevicePerplexity:F2}"),
        r.FinalRougeL is double rouge ? Invariant($"{rouge:F4}") : "n/a",
        Invariant($"{r.FinalSparsity:P1}"),
        r.TimeToTargetSeconds is double t ? Invariant($"{t:0} s") : "never",
        Invariant($"{r.SimTimeSeconds:0} s"),
        Invariant($"{r.BytesSent / 1e6:0.0}"),
        Invariant($"{r.LatencyMsPerToken:0.00}"),
        Invariant($"{r.MeanParameters / 1e6:0.00}M"),
    }).ToList() : results.Select(r => new[]
    {
        r.Method,
        Invariant($"{r.FinalAccuracy:P1}"),
        Invariant($"{r.MinDeviceAccuracy:P1}-{r.MaxDeviceAccuracy:P1}"),
        Invariant($"{r.FinalSparsity:P1}"),
        r.TimeToTargetSeconds is double t ? Invariant($"{t:0} s") : "never",
        Invariant($"{r.SimTimeSeconds:0} s"),
        Invariant($"{r.BytesSent / 1e6:0.0}"),
        Invariant($"{r.LatencyMsPerToken:0.00}"),
        Invariant($"{r.MeanParameters / 1e6:0.00}M"),
    }).ToList();

    private static string OneLine(string text, int max = 240)
    {
        string flat = string.Join(' ', text.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)).Replace("|", "\\|", StringComparison.Ordinal);
        return flat.Length <= max ? flat : flat[..max] + "…";
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
