// Learning behaviour on the synthetic reward of BanditSimulation: the learners beat uniform random play over the last
// 50 of 300 rounds, S-UCB settles near the optimum (step 0.07, rank 4), and S-UCB / SW-UCB follow an optimum that moves.
using FedSpine.Federated.Bandits;


namespace FedSpine.Federated.Tests.Bandits;

public class BanditLearningTests
{
    private static readonly ulong[] Seeds = [1, 2, 3, 4, 5];

    // SW-UCB needs a window well above the 24 grid arms (with W = 20 some arm is always unseen, so it round-robins).
    public static TheoryData<string, double, int> Learners => new()
    {
        { "sucb", 1.0, 20 },
        { "ucb1", 1.0, 20 },
        { "swucb", 1.0, 80 },
        { "exp3", 1.0, 20 },
    };

    [Theory]
    [MemberData(nameof(Learners))]
    public void Learner_beats_uniform_random_play_over_the_last_50_rounds(string name, double exploration, int window)
    {
        var settings = new BanditSettings { Exploration = exploration, Window = window };
        double learned = Seeds.Average(seed =>
            BanditSimulation.Tail(BanditSimulation.Run(BanditFactory.Create(name, BanditSimulation.Space, settings), seed, 300), 50, p => p.Reward));
        double random = Seeds.Average(seed =>
            BanditSimulation.Tail(BanditSimulation.Run(new RandomArm(BanditSimulation.Space, settings), seed, 300), 50, p => p.Reward));
        Assert.True(learned > random + 0.02, $"{name}: last-50 reward {learned:F3}, random {random:F3}");
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void Sucb_converges_near_the_optimum(ulong seed)
    {
        // The synthetic rewards differ by only ~0.05 near the optimum, so the confidence term is scaled down (see
        // BanditSettings.Exploration); with the textbook bonus S-UCB still beats random but explores almost uniformly.
        var bandit = new SmoothUcb(BanditSimulation.Space, new BanditSettings { Exploration = 0.1 });
        var plays = BanditSimulation.Run(bandit, seed, 300);
        double meanStep = BanditSimulation.Tail(plays, 50, p => p.Arm.PruneStep);
        Assert.InRange(meanStep, 0.04, 0.10);
        Assert.Equal(4, MostPlayedRank(plays.Skip(250)));
        Assert.True(BanditSimulation.Tail(plays, 50, p => p.Reward) > 0.85);
    }

    [Theory]
    [InlineData("sucb", 20)]
    [InlineData("swucb", 80)]
    public void Adapts_when_the_optimum_moves_at_round_150(string name, int window)
    {
        var moved = new Optimum(0.13, 3);
        foreach (ulong seed in Seeds)
        {
            var bandit = BanditFactory.Create(name, BanditSimulation.Space, new BanditSettings { Exploration = 0.1, Window = window });
            var plays = BanditSimulation.Run(bandit, seed, 300, after: moved, switchRound: 150);
            double before = plays.Skip(100).Take(50).Average(p => p.Arm.PruneStep);
            double after = BanditSimulation.Tail(plays, 50, p => p.Arm.PruneStep);
            Assert.True(Math.Abs(after - 0.13) < Math.Abs(after - 0.07), $"{name} seed {seed}: mean step {after:F3} after the move");
            Assert.True(after > before + 0.025, $"{name} seed {seed}: mean step {before:F3} before, {after:F3} after");
            Assert.Equal(8, MostPlayedRank(plays.Skip(250)));
        }
    }

    private static int MostPlayedRank(IEnumerable<(Arm Arm, double Reward)> plays) =>
        plays.GroupBy(p => p.Arm.Rank).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
}
