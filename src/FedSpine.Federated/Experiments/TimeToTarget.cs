// Time to accuracy as FL systems papers measure it (PyramidFL, FedBalancer, Oort): the curve is smoothed by a trailing
// moving average over the last few evaluations, and the time is the first simulated time the smoothed curve reaches the target.
namespace FedSpine.Federated.Experiments;

/// <summary>One evaluation of a run: simulated seconds since the start and the metric's value then.</summary>
public readonly record struct CurvePoint(double Time, double Value);

public static class TimeToTarget
{
    /// <summary>Trailing moving average: point i is the mean of values max(0, i−window+1)..i (causal: no later value is
    /// used, so a time read off the smoothed curve never looks ahead).</summary>
    public static double[] Smooth(IReadOnlyList<double> values, int window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        var smoothed = new double[values.Count];
        double sum = 0;
        for (int i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= window)
            {
                sum -= values[i - window];
            }
            smoothed[i] = sum / Math.Min(i + 1, window);
        }
        return smoothed;
    }

    /// <summary>The curve with its values smoothed (times unchanged).</summary>
    public static CurvePoint[] Smooth(IReadOnlyList<CurvePoint> curve, int window)
    {
        var values = Smooth(curve.Select(p => p.Value).ToArray(), window);
        return curve.Select((p, i) => p with { Value = values[i] }).ToArray();
    }

    /// <summary>First simulated time the smoothed curve reaches the target (at or above it when higher is better, at or
    /// below it otherwise); null when it never does.</summary>
    public static double? FirstReach(IReadOnlyList<CurvePoint> curve, double target, int window, bool higherIsBetter = true)
    {
        var smoothed = Smooth(curve, window);
        const double Slack = 1e-12;
        foreach (var p in smoothed)
        {
            if (higherIsBetter ? p.Value >= target - Slack : p.Value <= target + Slack)
            {
                return p.Time;
            }
        }
        return null;
    }

    /// <summary>The common target: the worst among the methods of each method's mean (over seeds) final smoothed value,
    /// so that every method reaches it on average ("the lowest final accuracy among the compared methods").</summary>
    public static double CommonTarget(IEnumerable<double> meanFinalSmoothedPerMethod, bool higherIsBetter = true)
    {
        var values = meanFinalSmoothedPerMethod.ToArray();
        if (values.Length == 0)
        {
            throw new ArgumentException("the common target needs at least one method");
        }
        return higherIsBetter ? values.Min() : values.Max();
    }
}
