// Maps the CLI's schedule names to pruning schedules over a run of a given length: the pruning window is the first
// two thirds of the steps unless a recovery length is given; a zero target gives a dense run with no prune at all.
using FedSpine.Pruning;

namespace FedSpine.Cli.Infrastructure;

internal static class Schedules
{
    public static IPruningSchedule Create(string name, double target, int totalSteps, int interval, int? recoverySteps)
    {
        if (totalSteps < 1)
        {
            throw new ArgumentException($"--steps must be at least 1 (got {totalSteps})");
        }
        if (target == 0)
        {
            return new OneShotSchedule(0, totalSteps);
        }
        int recovery = recoverySteps ?? totalSteps / 3;
        int window = totalSteps - recovery;
        if (recovery < 0 || window < 1)
        {
            throw new ArgumentException($"--recovery-steps ({recovery}) must leave at least one pruning step of the {totalSteps} steps");
        }
        return name switch
        {
            "one-shot" => new OneShotSchedule(target, window, recovery),
            "cubic" => new CubicSchedule(target, window, interval, recovery),
            "fixed" => new FixedStepSchedule(target, target / Math.Max(1, window / interval), interval, recovery),
            _ => throw new ArgumentException($"--schedule must be cubic, fixed or one-shot (got '{name}')"),
        };
    }
}
