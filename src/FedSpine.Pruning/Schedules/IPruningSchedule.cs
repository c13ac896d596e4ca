// A pruning schedule: the pruning ratio (fraction of each layer's heads and channels removed) the model should have
// after each LoRA step, over a pruning window and then recovery steps; prune-and-tune prunes whenever the ratio rises.
namespace FedSpine.Pruning;

public interface IPruningSchedule
{
    /// <summary>Final ratio S*.</summary>
    double Target { get; }

    /// <summary>The step after which the ratio reaches Target (the end of the pruning window).</summary>
    int LastPruneStep { get; }

    /// <summary>LoRA steps after the last prune.</summary>
    int RecoverySteps { get; }

    int TotalSteps => LastPruneStep + RecoverySteps;

    /// <summary>The ratio after <paramref name="step"/> LoRA steps (0 before the first prune, Target from LastPruneStep on).</summary>
    double RatioAt(int step);

    /// <summary>Every step at which the ratio rises, with the new ratio.</summary>
    IReadOnlyList<(int Step, double Ratio)> Events =>
        Enumerable.Range(1, LastPruneStep).Where(t => RatioAt(t) > RatioAt(t - 1)).Select(t => (t, RatioAt(t))).ToArray();
}
