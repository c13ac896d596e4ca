// One-shot pruning: the whole target ratio at one step (after importance has been gathered for that many LoRA steps),
// then recovery steps (zero = one-shot pruning without recovery).
namespace FedSpine.Pruning;

public sealed class OneShotSchedule : IPruningSchedule
{
    public OneShotSchedule(double target, int pruneStep = 20, int recoverySteps = 0)
    {
        UnitCountPlanner.CheckRatio(target);
        ArgumentOutOfRangeException.ThrowIfLessThan(pruneStep, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(recoverySteps);
        Target = target;
        LastPruneStep = pruneStep;
        RecoverySteps = recoverySteps;
    }

    public double Target { get; }
    public int LastPruneStep { get; }
    public int RecoverySteps { get; }

    public double RatioAt(int step) => step >= LastPruneStep ? Target : 0;
}
