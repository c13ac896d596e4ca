// The pretraining learning-rate schedule: linear warm-up to the peak, cosine decay, the minimum at the last step.
// Values are checked against the closed form at the boundaries and the cosine midpoint.
using FedSpine.Model.Pretraining;

namespace FedSpine.Model.Tests.Pretraining;

public sealed class LearningRateScheduleTests
{
    private const float Peak = 3e-3f, Min = 3e-4f;

    [Fact]
    public void WarmUpRisesLinearlyToThePeak()
    {
        Assert.Equal(3e-4f, LearningRateSchedule.At(1, 110, 10, Peak, Min), 9);
        Assert.Equal(1.5e-3f, LearningRateSchedule.At(5, 110, 10, Peak, Min), 9);
        Assert.Equal(Peak, LearningRateSchedule.At(10, 110, 10, Peak, Min));
    }

    [Fact]
    public void CosineDecaysToTheMinimumAtTheLastStep()
    {
        Assert.Equal((Peak + Min) / 2, LearningRateSchedule.At(60, 110, 10, Peak, Min), 7);
        Assert.Equal(Min, LearningRateSchedule.At(110, 110, 10, Peak, Min), 9);
        float previous = Peak;
        for (int s = 11; s <= 110; s++)
        {
            float lr = LearningRateSchedule.At(s, 110, 10, Peak, Min);
            Assert.True(lr < previous && lr >= Min, $"step {s}: {lr} after {previous}");
            previous = lr;
        }
    }

    [Fact]
    public void WithoutWarmUpTheFirstStepIsNearThePeak()
    {
        float first = LearningRateSchedule.At(1, 1000, 0, Peak, Min);
        Assert.InRange(first, Peak * 0.9999f, Peak);
    }

    [Fact]
    public void StepsOutsideTheRunAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.At(0, 10, 2, Peak, Min));
        Assert.Throws<ArgumentOutOfRangeException>(() => LearningRateSchedule.At(11, 10, 2, Peak, Min));
    }
}
