// What every bandit promises whatever it learns: only arms that fit, null when none fits, rewards checked, state that
// round-trips so the future is identical, the factory's names; plus the fallback orders of S-UCB and the fixed arm.
using FedSpine.Federated.Bandits;
using FedSpine.Tensors;


namespace FedSpine.Federated.Tests.Bandits;

public class BanditContractTests
{
    public static TheoryData<string> Names => new() { "sucb", "ucb1", "swucb", "exp3", "fixed", "random" };

    private static readonly BanditSettings Settings = new() { Window = 30 };

    private static bool NoRank16NoSmallSteps(Arm arm) => arm.Rank != 16 && arm.PruneStep >= 0.02;

    [Theory]
    [MemberData(nameof(Names))]
    public void Factory_builds_the_named_bandit(string name) =>
        Assert.Equal(name, BanditFactory.Create(name, BanditSimulation.Space, Settings).Name);

    [Fact]
    public void Factory_rejects_an_unknown_name_and_lists_the_valid_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => BanditFactory.Create("thompson", BanditSimulation.Space, Settings));
        Assert.Contains("thompson", e.Message);
        Assert.All(BanditFactory.Names, n => Assert.Contains(n, e.Message));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Never_selects_an_arm_that_does_not_fit(string name)
    {
        // Run asserts fits on every selected arm. Fixed: (0.09, 16) falls back to rank 8; the default (0, 4) has no
        // fitting rank below it at step 0, so it gives null.
        if (name == "fixed")
        {
            var fixedArm = new FixedArm(BanditSimulation.Space, new BanditSettings { FixedArm = new Arm(0.09, 16) });
            Assert.Equal(new Arm(0.09, 8), fixedArm.Select(new Rng(1), NoRank16NoSmallSteps));
            Assert.Null(new FixedArm(BanditSimulation.Space, Settings).Select(new Rng(1), NoRank16NoSmallSteps));
            return;
        }
        var bandit = BanditFactory.Create(name, BanditSimulation.Space, Settings);
        var plays = BanditSimulation.Run(bandit, 7, 200, NoRank16NoSmallSteps);
        Assert.All(plays, p => Assert.True(NoRank16NoSmallSteps(p.Arm), $"{name} played {p.Arm}"));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Returns_null_when_nothing_fits(string name)
    {
        var bandit = BanditFactory.Create(name, BanditSimulation.Space, Settings);
        BanditSimulation.Run(bandit, 3, 20);
        Assert.Null(bandit.Select(new Rng(5), _ => false));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Rejects_rewards_outside_0_1_or_not_finite(string name)
    {
        var bandit = BanditFactory.Create(name, BanditSimulation.Space, Settings);
        Arm arm = bandit.Select(new Rng(1), _ => true)!.Value;
        foreach (double bad in new[] { -0.01, 1.01, double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => bandit.Update(arm, bad));
        }
        bandit.Update(arm, 0);
        bandit.Update(arm, 1);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Save_then_load_gives_an_identical_future(string name)
    {
        var original = BanditFactory.Create(name, BanditSimulation.Space, Settings);
        var rng = new Rng(11);
        var noise = new Rng(12);
        Play(original, rng, noise, 60);
        AssertSameFuture(name, original, rng, noise);

        // A state saved between Select and Update (the pending play) must round-trip too.
        Arm pending = original.Select(rng, NoRank16NoSmallSteps) ?? new Arm(0.06, 4);
        var restored = BanditFactory.Create(name, BanditSimulation.Space, Settings);
        restored.LoadState(original.SaveState());
        Assert.Equal(original.SaveState(), restored.SaveState());
        double reward = BanditSimulation.NoisyReward(pending, BanditSimulation.Default, noise);
        original.Update(pending, reward);
        restored.Update(pending, reward);
        Assert.Equal(original.SaveState(), restored.SaveState());
        AssertSameFuture(name, original, rng, noise);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Load_rejects_the_state_of_another_kind_or_bad_json(string name)
    {
        var bandit = BanditFactory.Create(name, BanditSimulation.Space, Settings);
        string other = BanditFactory.Create(name == "random" ? "fixed" : "random", BanditSimulation.Space, Settings).SaveState();
        Assert.Throws<ArgumentException>(() => bandit.LoadState(other));
        Assert.Throws<ArgumentException>(() => bandit.LoadState("{not json"));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_single_arm_space_always_gives_that_arm(string name)
    {
        var space = new ArmSpace(0.05, 0.05, [4], 1);
        var bandit = BanditFactory.Create(name, space, new BanditSettings { FixedArm = new Arm(0.05, 4) });
        var rng = new Rng(2);
        for (int t = 0; t < 20; t++)
        {
            Assert.Equal(new Arm(0.05, 4), bandit.Select(rng, _ => true));
            bandit.Update(new Arm(0.05, 4), 0.5);
        }
    }

    [Fact]
    public void Ucb1_plays_every_feasible_arm_once_in_grid_order_first()
    {
        var bandit = new Ucb1Grid(BanditSimulation.Space, Settings);
        var plays = BanditSimulation.Run(bandit, 1, 15, NoRank16NoSmallSteps);
        Arm[] feasible = [.. BanditSimulation.Space.Grid().Where(NoRank16NoSmallSteps)];
        Assert.Equal(15, feasible.Length);
        Assert.Equal(feasible, plays.Select(p => p.Arm));
    }

    [Fact]
    public void Sucb_falls_back_to_lower_ranks_then_larger_steps_at_the_lowest_rank()
    {
        var bandit = new SmoothUcb(BanditSimulation.Space, Settings);
        var asked = new List<Arm>();
        bool OnlyRank2AboveTenth(Arm a)
        {
            asked.Add(a);
            return a.Rank == 2 && a.PruneStep >= 0.1;
        }
        Arm? played = null;
        for (ulong seed = 1; played is null || asked[0].PruneStep >= 0.09 || asked[0].Rank < 4; seed++)
        {
            bandit = new SmoothUcb(BanditSimulation.Space, Settings);
            asked.Clear();
            played = bandit.Select(new Rng(seed), OnlyRank2AboveTenth);
        }
        Arm sampled = asked[0];
        int[] lower = [.. BanditSimulation.Space.Ranks.Where(r => r < sampled.Rank).OrderDescending()];
        Arm[] expected =
        [
            sampled,
            .. lower.Select(r => new Arm(sampled.PruneStep, r)),
            .. new[] { 0.03, 0.06, 0.09, 0.12 }.Where(s => s > sampled.PruneStep).Select(s => new Arm(s, 2)),
        ];
        Assert.Equal(expected, asked);
        Assert.Equal(new Arm(0.12, 2), played);
    }

    [Fact]
    public void Sucb_credits_plays_on_the_tree_and_stops_splitting_at_max_depth()
    {
        var bandit = new SmoothUcb(BanditSimulation.Space, new BanditSettings { MaxDepth = 3 });
        BanditSimulation.Run(bandit, 4, 100);
        Assert.InRange(bandit.NodeCount, 3, 15);
        var shallow = new SmoothUcb(BanditSimulation.Space, new BanditSettings());
        BanditSimulation.Run(shallow, 4, 10);
        Assert.Equal(21, shallow.NodeCount);
    }

    [Fact]
    public void Fixed_defaults_to_min_step_and_the_middle_rank()
    {
        var bandit = new FixedArm(BanditSimulation.Space, new BanditSettings());
        Assert.Equal(new Arm(0.0, 4), bandit.Select(new Rng(1), _ => true));
        Assert.Equal(new Arm(0.0, 2), bandit.Select(new Rng(1), a => a.Rank < 4));
    }

    [Fact]
    public void Settings_out_of_range_are_rejected_with_the_field_named()
    {
        var e = Assert.Throws<ArgumentException>(() => new SmoothUcb(BanditSimulation.Space, new BanditSettings { Discount = 0 }));
        Assert.Contains("Discount", e.Message);
        Assert.Throws<ArgumentException>(() => new SlidingWindowUcb(BanditSimulation.Space, new BanditSettings { Window = 0 }));
        Assert.Throws<ArgumentException>(() => new Exp3(BanditSimulation.Space, new BanditSettings { Exp3Gamma = 1.5 }));
    }

    private static void Play(IBandit bandit, Rng rng, Rng noise, int rounds)
    {
        for (int t = 0; t < rounds; t++)
        {
            if (bandit.Select(rng, NoRank16NoSmallSteps) is { } arm)
            {
                bandit.Update(arm, BanditSimulation.NoisyReward(arm, BanditSimulation.Default, noise));
            }
        }
    }

    /// <summary>Saves, restores into a fresh bandit, and checks both give the same next 60 arms from copies of the rngs.</summary>
    private static void AssertSameFuture(string name, IBandit original, Rng rng, Rng noise)
    {
        var restored = BanditFactory.Create(name, BanditSimulation.Space, Settings);
        restored.LoadState(original.SaveState());
        var rngCopy = new Rng(0) { State = rng.State };
        var noiseCopy = new Rng(0) { State = noise.State };
        var a = new List<Arm?>();
        var b = new List<Arm?>();
        for (int t = 0; t < 60; t++)
        {
            Arm? x = original.Select(rng, NoRank16NoSmallSteps);
            Arm? y = restored.Select(rngCopy, NoRank16NoSmallSteps);
            a.Add(x);
            b.Add(y);
            if (x is { } arm)
            {
                original.Update(arm, BanditSimulation.NoisyReward(arm, BanditSimulation.Default, noise));
            }
            if (y is { } arm2)
            {
                restored.Update(arm2, BanditSimulation.NoisyReward(arm2, BanditSimulation.Default, noiseCopy));
            }
        }
        Assert.Equal(a, b);
        Assert.Equal(rng.State, rngCopy.State);
    }
}
