// The schedules produce their stated ratios: one-shot, fixed increments every τ steps, and Zhu & Gupta's cubic
// s_t = S*·(1 − (1 − t/T)³) at every τ-th step of the window, each followed by recovery steps.
namespace FedSpine.Pruning.Tests;

public class ScheduleTests
{
    [Fact]
    public void OneShotPrunesOnceThenRecovers()
    {
        IPruningSchedule s = new OneShotSchedule(0.5, pruneStep: 20, recoverySteps: 30);
        Assert.Equal((0.0, 0.0, 0.5, 0.5), (s.RatioAt(0), s.RatioAt(19), s.RatioAt(20), s.RatioAt(50)));
        Assert.Equal(50, s.TotalSteps);
        Assert.Equal([(20, 0.5)], s.Events);
    }

    [Fact]
    public void FixedStepRisesByTheStepEveryInterval()
    {
        IPruningSchedule s = new FixedStepSchedule(0.5, stepSize: 0.1, recoverySteps: 10);
        Assert.Equal(100, s.LastPruneStep);
        Assert.Equal(110, s.TotalSteps);
        Assert.Equal([20, 40, 60, 80, 100], s.Events.Select(e => e.Step));
        Assert.Equal([0.1, 0.2, 0.3, 0.4, 0.5], s.Events.Select(e => e.Ratio), new DoubleComparer());
        Assert.Equal((0.0, 0.1, 0.1, 0.5), (s.RatioAt(19), s.RatioAt(20), s.RatioAt(39), s.RatioAt(105)));
        IPruningSchedule uneven = new FixedStepSchedule(0.25, stepSize: 0.1, interval: 5);
        Assert.Equal([(5, 0.1), (10, 0.2), (15, 0.25)], uneven.Events.Select(e => (e.Step, Math.Round(e.Ratio, 12))));
    }

    [Fact]
    public void CubicFollowsZhuAndGupta()
    {
        IPruningSchedule s = new CubicSchedule(0.5, pruneSteps: 100, interval: 20, recoverySteps: 40);
        double[] expected = [0.5 * (1 - 0.512), 0.5 * (1 - 0.216), 0.5 * (1 - 0.064), 0.5 * (1 - 0.008), 0.5];
        Assert.Equal([20, 40, 60, 80, 100], s.Events.Select(e => e.Step));
        Assert.Equal(expected, s.Events.Select(e => e.Ratio), new DoubleComparer());
        Assert.Equal([0.0, expected[0], expected[1]], new[] { s.RatioAt(19), s.RatioAt(39), s.RatioAt(40) }, new DoubleComparer());
        Assert.Equal(140, s.TotalSteps);
        Assert.Throws<ArgumentException>(() => new CubicSchedule(0.5, pruneSteps: 50, interval: 20));
    }

    private sealed class DoubleComparer : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-12;
        public int GetHashCode(double obj) => 0;
    }
}
