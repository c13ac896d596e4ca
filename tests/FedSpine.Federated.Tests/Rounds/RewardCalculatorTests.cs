// The reward of the specification: terms min-max normalised over the round's devices, weighted, times min(1, T_mean/T_i).
using FedSpine.Federated.Rounds;

namespace FedSpine.Federated.Tests.Rounds;

public sealed class RewardCalculatorTests
{
    [Fact]
    public void Matches_the_written_formula()
    {
        var terms = RewardCalculator.Compute([(0.2, 0.5, 1.0, 10.0), (0.1, 1.0, 3.0, 30.0), (0.0, 0.25, 2.0, 20.0)], new RewardWeights(1, 2, 1));
        // gain: 1, 0.5, 0; progress: 1/3, 1, 0; norm: 0, 1, 0.5; T_mean = 20
        Assert.Equal((1 * 1 + 2 * (1.0 / 3) + 0) / 4 * 1, terms[0].Reward, 12);
        Assert.Equal((0.5 + 2 * 1 + 1) / 4 * (20.0 / 30), terms[1].Reward, 12);
        Assert.Equal((0 + 0 + 0.5) / 4 * 1, terms[2].Reward, 12);
        Assert.Equal(20.0 / 30, terms[1].TimeFactor, 12);
    }

    [Fact]
    public void Equal_terms_normalise_to_one_half() =>
        Assert.Equal(0.5, RewardCalculator.Compute([(0.1, 1, 1, 5), (0.1, 1, 1, 5)], new RewardWeights())[0].Reward, 12);
}
