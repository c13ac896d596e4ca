// The lines an experiment prints when it ends: per arm final accuracy and time to the common target with intervals, then
// the reference's paired difference and speed-up against each other arm with its verdict.
using System.Globalization;
using System.Text;
using FedSpine.Federated.Experiments;

namespace FedSpine.Cli.Experiment;

internal static class ExperimentSummary
{
    public static string Text(Comparison c)
    {
        var sb = new StringBuilder();
        if (c.Metric == "perplexity")
        {
            return PerplexityText(c, sb);
        }
        sb.AppendLine(I($"common target {100 * c.CommonTarget:0.0}% (smoothed over {c.SmoothingWindow} evaluations); {c.Seeds.Count} seeds"));
        foreach (var a in c.Arms)
        {
            string time = a.TimeToCommon.Mean is null ? "never" : Interval(a.TimeToCommon, 1, "0", " s");
            sb.AppendLine(I($"{a.Name,-22} accuracy {Interval(a.FinalAccuracy, 100, "0.00", "%")}  time to target {time}"));
        }
        foreach (var v in c.Versus)
        {
            var d = v.AccuracyDifference;
            var s = v.Speedup;
            string speed = s.Mean is null ? "-" : Interval(s, 1, "0.00", "x");
            sb.AppendLine(I($"{c.Reference} vs {v.Other,-16} accuracy {100 * d.Mean:+0.00;-0.00} points [{100 * d.Low:+0.00;-0.00}, {100 * d.High:+0.00;-0.00}] ({v.AccuracyVerdict}); speed-up {speed} ({v.SpeedupVerdict})"));
        }
        return sb.ToString();
    }

    // The instruct task: response perplexity (lower is better); the final interval and paired differences are over the
    // per-example mean response loss (nats per token).
    private static string PerplexityText(Comparison c, StringBuilder sb)
    {
        sb.AppendLine(I($"common target response perplexity {c.CommonTarget:0.00} (lower is better; smoothed over {c.SmoothingWindow} evaluations); {c.Seeds.Count} seeds"));
        foreach (var a in c.Arms)
        {
            string time = a.TimeToCommon.Mean is null ? "never" : Interval(a.TimeToCommon, 1, "0", " s");
            sb.AppendLine(I($"{a.Name,-22} perplexity {a.FinalAccuracyPerSeed.Average():0.00} (per-example loss {Interval(a.FinalAccuracy, 1, "0.000", "")})  time to target {time}"));
        }
        foreach (var v in c.Versus)
        {
            var d = v.AccuracyDifference;
            string speed = v.Speedup.Mean is null ? "-" : Interval(v.Speedup, 1, "0.00", "x");
            sb.AppendLine(I($"{c.Reference} vs {v.Other,-16} loss {d.Mean:+0.000;-0.000} [{d.Low:+0.000;-0.000}, {d.High:+0.000;-0.000}] ({v.AccuracyVerdict}); speed-up {speed} ({v.SpeedupVerdict})"));
        }
        return sb.ToString();
    }

    /// <summary>"mean unit [low, high]", or just "mean unit" when the estimate has no interval.</summary>
    private static string Interval(Estimate e, double scale, string format, string unit)
    {
        string F(double? v) => (scale * v!.Value).ToString(format, CultureInfo.InvariantCulture);
        return e.Low is null ? F(e.Mean) + unit : $"{F(e.Mean)}{unit} [{F(e.Low)}, {F(e.High)}]";
    }

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
