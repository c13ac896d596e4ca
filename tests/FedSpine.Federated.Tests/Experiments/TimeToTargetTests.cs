// The time-to-accuracy rule on hand-made curves with known answers: trailing smoothing, first reach of the target in
// both metric directions, never reaching it, and the common target as the worst arm's mean final smoothed value.
using FedSpine.Federated.Experiments;

namespace FedSpine.Federated.Tests.Experiments;

public sealed class TimeToTargetTests
{
    [Fact]
    public void Smoothing_is_a_trailing_mean_over_the_window()
    {
        double[] smoothed = TimeToTarget.Smooth([1.0, 2, 6, 0, 3], 3);
        Assert.Equal([1.0, 1.5, 3, 8.0 / 3, 3], smoothed, new ToleranceComparer(1e-12));
        Assert.Equal([1.0, 2, 6, 0, 3], TimeToTarget.Smooth([1.0, 2, 6, 0, 3], 1));
    }

    [Fact]
    public void A_single_spike_does_not_reach_the_target_but_a_sustained_rise_does()
    {
        // Raw accuracy touches 0.80 at t = 20 once; smoothed over 3 it first reaches 0.75 at t = 50.
        CurvePoint[] curve = [new(10, 0.60), new(20, 0.80), new(30, 0.62), new(40, 0.74), new(50, 0.78), new(60, 0.79)];
        Assert.Equal(20, TimeToTarget.FirstReach(curve, 0.75, window: 1));
        // Smoothed: 0.60, 0.70, 0.6733, 0.72, 0.7133, 0.77 -> first >= 0.75 at t = 60.
        Assert.Equal(60, TimeToTarget.FirstReach(curve, 0.75, window: 3));
        Assert.Null(TimeToTarget.FirstReach(curve, 0.78, window: 3));
    }

    [Fact]
    public void Lower_is_better_metrics_reach_the_target_from_above()
    {
        CurvePoint[] perplexity = [new(5, 40), new(10, 30), new(15, 20), new(20, 18)];
        // Smoothed over 2: 40, 35, 25, 19.
        Assert.Equal(15, TimeToTarget.FirstReach(perplexity, 25, window: 2, higherIsBetter: false));
        Assert.Null(TimeToTarget.FirstReach(perplexity, 10, window: 2, higherIsBetter: false));
    }

    [Fact]
    public void Common_target_is_the_worst_arms_value_so_every_arm_reaches_it()
    {
        Assert.Equal(0.71, TimeToTarget.CommonTarget([0.74, 0.71, 0.79]));
        Assert.Equal(31.0, TimeToTarget.CommonTarget([25.0, 31, 28], higherIsBetter: false));
        Assert.Throws<ArgumentException>(() => TimeToTarget.CommonTarget([]));
    }
}

internal sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
{
    public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
    public int GetHashCode(double obj) => 0;
}
