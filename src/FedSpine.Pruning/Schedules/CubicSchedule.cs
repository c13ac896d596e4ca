// Zhu & Gupta's gradual schedule: at every τ-th step t of a pruning window of T steps the ratio becomes
// s_t = S*·(1 − (1 − t/T)³), fast at first and gentle near the end, reaching S* at t = T; then recovery steps.
namespace FedSpine.Pruning;

public sealed class CubicSchedule : IPruningSchedule
{
    public CubicSchedule(double target, int pruneSteps, int interval = FixedStepSchedule.DefaultInterval, int recoverySteps = 0)
    {
        UnitCountPlanner.CheckRatio(target);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(recoverySteps);
        if (pruneSteps < interval || pruneSteps % interval != 0)
        {
            throw new ArgumentException($"the pruning window ({pruneSteps} steps) must be a positive multiple of the pruning interval ({interval})");
        }
        Target = target;
        Interval = interval;
        LastPruneStep = pruneSteps;
        RecoverySteps = recoverySteps;
    }

    public double Target { get; }
    public int Interval { get; }
    public int LastPruneStep { get; }
    public int RecoverySteps { get; }

    public double RatioAt(int step)
    {
        if (step >= LastPruneStep)
        {
            return Target;
        }
        double t = Math.Max(0, step / Interval * Interval);
        double left = 1 - t / LastPruneStep;
        return Target * (1 - left * left * left);
    }
}
