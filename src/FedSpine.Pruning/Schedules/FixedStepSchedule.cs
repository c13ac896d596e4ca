// Fixed increments: every `interval` LoRA steps (τ = 20 by default) the ratio rises by `stepSize` until it reaches the
// target: ratio(t) = min(S*, ⌊t/τ⌋·p); ⌈S*/p⌉ prunes, the last at step ⌈S*/p⌉·τ, then recovery steps.
namespace FedSpine.Pruning;

public sealed class FixedStepSchedule : IPruningSchedule
{
    public const int DefaultInterval = 20;

    public FixedStepSchedule(double target, double stepSize, int interval = DefaultInterval, int recoverySteps = 0)
    {
        UnitCountPlanner.CheckRatio(target);
        if (!double.IsFinite(stepSize) || stepSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(stepSize), $"pruning step size must be positive (got {stepSize})");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(recoverySteps);
        Target = target;
        StepSize = stepSize;
        Interval = interval;
        RecoverySteps = recoverySteps;
        int prunes = Math.Max(1, (int)Math.Ceiling(target / stepSize - 1e-9)); // 0.5 / 0.1 is 5.000000000000001
        LastPruneStep = prunes * interval;
    }

    public double Target { get; }
    public double StepSize { get; }
    public int Interval { get; }
    public int LastPruneStep { get; }
    public int RecoverySteps { get; }

    public double RatioAt(int step) => step >= LastPruneStep ? Target : Math.Min(Target, step / Interval * StepSize);
}
