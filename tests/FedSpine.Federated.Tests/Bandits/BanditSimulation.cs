// A seeded synthetic environment for bandit tests: reward(p, r) = 1 - (p - p*)²·50 - (log2 r - l*)²·0.05 plus small
// Gaussian noise, clipped to [0,1]; the optimum may move at a given round. Bandit and noise use separate seeded Rngs.
using FedSpine.Federated.Bandits;
using FedSpine.Tensors;

namespace FedSpine.Federated.Tests.Bandits;

internal sealed record Optimum(double Step, double Log2Rank);

internal static class BanditSimulation
{
    public static ArmSpace Space { get; } = new(0.0, 0.15, [2, 4, 8, 16], 6);

    public static Optimum Default { get; } = new(0.07, 2);

    public static double MeanReward(Arm arm, Optimum optimum)
    {
        double dp = arm.PruneStep - optimum.Step, dr = Math.Log2(arm.Rank) - optimum.Log2Rank;
        return 1 - dp * dp * 50 - dr * dr * 0.05;
    }

    public static double NoisyReward(Arm arm, Optimum optimum, Rng noise) =>
        Math.Clamp(MeanReward(arm, optimum) + 0.01 * noise.NextGaussian(), 0, 1);

    /// <summary>Plays rounds; the optimum is `before` until `switchRound`, then `after`. Returns the played arms and rewards.</summary>
    public static List<(Arm Arm, double Reward)> Run(IBandit bandit, ulong seed, int rounds, Func<Arm, bool>? fits = null,
        Optimum? before = null, Optimum? after = null, int switchRound = int.MaxValue)
    {
        fits ??= _ => true;
        var rng = new Rng(seed);
        var noise = new Rng(seed ^ 0x5EEDUL);
        var plays = new List<(Arm, double)>(rounds);
        for (int t = 0; t < rounds; t++)
        {
            Optimum optimum = t < switchRound ? before ?? Default : after ?? Default;
            Arm arm = bandit.Select(rng, fits) ?? throw new InvalidOperationException("no arm selected");
            Assert.True(fits(arm), $"{bandit.Name} selected {arm}, which does not fit");
            double reward = NoisyReward(arm, optimum, noise);
            bandit.Update(arm, reward);
            plays.Add((arm, reward));
        }
        return plays;
    }

    public static double Tail(List<(Arm Arm, double Reward)> plays, int count, Func<(Arm Arm, double Reward), double> f) =>
        plays.Skip(plays.Count - count).Average(f);
}
