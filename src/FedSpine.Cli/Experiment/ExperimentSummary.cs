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
            string time = a.TimeToCommon.Mean is double t ? I($"{t:0} s [{a.TimeToCommon.Low:0}, {a.TimeToCommon.High:0}]") : "never";
            sb.AppendLine(I($"{a.Name,-22} accuracy {100 * a.FinalAccuracy.Mean:0.00}% [{100 * a.FinalAccuracy.Low:0.00}, {100 * a.FinalAccuracy.High:0.00}]  time to target {time}"));
        }
        foreach (var v in c.Versus)
        {
            var d = v.AccuracyDifference;
            var s = v.Speedup;
            string speed = s.Mean is double m ? I($"{m:0.00}x [{s.Low:0.00}, {s.High:0.00}]") : "-";
            sb.AppendLine(I($"{c.Reference} vs {v.Other,-16} accuracy {100 * d.Mean:+0.00;-0.00} points [{100 * d.Low:+0.00;-0.00}, {100 * d.High:+0.00;-0.00}] ({v.AccuracyVerdict}); speed-up {speed} ({v.SpeedupVerdict})"));
        }
        return sb.ToString();
    }

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
