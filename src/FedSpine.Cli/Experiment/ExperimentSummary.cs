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

    /// <summary>"mean unit [low, high]", or just "mean unit" when the estimate has no interval.</summary>
    private static string Interval(Estimate e, double scale, string format, string unit)
    {
        string F(double? v) => (scale * v!.Value).ToString(format, CultureInfo.InvariantCulture);
        return e.Low is null ? F(e.Mean) + unit : $"{F(e.Mean)}{unit} [{F(e.Low)}, {F(e.High)}]";
    }

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
