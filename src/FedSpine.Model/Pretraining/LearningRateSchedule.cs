// Linear warm-up from 0 to the peak rate, then cosine decay to the minimum rate at the last step.
// Steps are 1-based (the rate used by the n-th optimizer step); rates are formed in double, returned as float.
namespace FedSpine.Model.Pretraining;

public static class LearningRateSchedule
{
    /// <summary>Step s of n: s·peak/warmup while s ≤ warmup, then min + ½(peak − min)(1 + cos(π·(s − warmup)/(n − warmup))).</summary>
    public static float At(int step, int totalSteps, int warmupSteps, float peak, float minimum)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(step, totalSteps);
        if (step <= warmupSteps)
        {
            return (float)((double)peak * step / warmupSteps);
        }
        double progress = (double)(step - warmupSteps) / (totalSteps - warmupSteps);
        return (float)(minimum + 0.5 * ((double)peak - minimum) * (1 + Math.Cos(Math.PI * progress)));
    }

    public static float At(int step, PretrainConfig config) =>
        At(step, config.Steps, config.WarmupSteps, config.LearningRate, config.MinLearningRate);
}
