// Per-device sparsity mode: the fleet projection holds the mean at S* within the bounds (and never below what a device
// has reached), and a whole run in per-device mode keeps the mean target at S* every round and ends there.
using FedSpine.Federated.Rounds;
using FedSpine.Federated.Runs;
using FedSpine.Federated.Tests.Runs;

namespace FedSpine.Federated.Tests.Rounds;

public sealed class PerDeviceSparsityTests
{
    [Fact]
    public void Projection_holds_the_mean_at_S_star_with_one_common_shift()
    {
        double[] preferred = [0.35, 0.5, 0.65, 0.7];   // mean 0.55: every target moves down by 0.05, none reaches a bound
        var targets = FleetSparsityTargets.Project(preferred, [0, 0, 0, 0], 0.5, 0.2);
        Assert.Equal([0.3, 0.45, 0.6, 0.65], targets, new Experiments.ToleranceComparer(1e-9));
    }

    [Fact]
    public void Projection_clamps_to_the_spread_and_redistributes_to_the_others()
    {
        double[] preferred = [0.7, 0.7, 0.7, 0.3];
        var targets = FleetSparsityTargets.Project(preferred, [0, 0, 0, 0], 0.5, 0.2);
        Assert.Equal(0.5, targets.Average(), 9);
        Assert.All(targets, t => Assert.InRange(t, 0.3 - 1e-12, 0.7 + 1e-12));
        Assert.Equal(0.3, targets[3], 9);               // already at its lower bound
        Assert.Equal(targets[0], targets[1], 12);       // the others share the shift
    }

    [Fact]
    public void Projection_never_asks_a_device_to_unprune()
    {
        double[] preferred = [0.3, 0.3, 0.6, 0.6];
        var targets = FleetSparsityTargets.Project(preferred, [0.45, 0, 0, 0], 0.5, 0.2);
        Assert.True(targets[0] >= 0.45 - 1e-12, $"target {targets[0]} below the reached 0.45");
        Assert.Equal(0.5, targets.Average(), 9);
    }

    [Fact]
    public void A_per_device_run_keeps_the_mean_target_at_S_star_every_round_and_ends_there()
    {
        var config = TinyRuns.Spam("fedspine") with { SparsityMode = "per-device", Rounds = 4, Devices = "3 tx2,2 nx,1 agx" };
        var loaded = FedSpine.Model.ModelLoader.Load(config.Model, null, requireTokenizer: true);
        var data = FederatedData.Create(config, loaded.Tokenizer!, 6);
        var plan = RunPlan.From(config);
        var profiles = plan.Profiles;
        var run = new MethodRun(plan, MethodCatalog.Get("fedspine", config), loaded.Weights, loaded.Tokenizer!, data, TinyRuns.TempFolder("per-device"));
        var transport = new InProcessTransport(run.Devices.Select(d => new SimulatedDevice(d, profiles[d.Id], config.Seed)));
        var targetsSeen = new List<double[]>();
        while (run.Server.Round < config.Rounds)
        {
            run.Server.RunRound(transport);
            var targets = run.Server.Slots.Select(s => s.TargetSparsity).ToArray();
            targetsSeen.Add(targets);
            Assert.Equal(config.Sparsity, targets.Average(), 2);
            Assert.All(targets, t => Assert.InRange(t, config.Sparsity - config.SparsitySpread - 1e-9, config.Sparsity + config.SparsitySpread + 1e-9));
        }
        double meanReached = run.Server.Slots.Average(s => s.Sparsity);
        Assert.InRange(meanReached, config.Sparsity - 0.01, config.Sparsity + 0.01);
        // The devices do not all end alike: the bandits chose different targets.
        Assert.True(targetsSeen[^1].Max() - targetsSeen[^1].Min() > 0.04, $"final targets {string.Join(", ", targetsSeen[^1])}");
    }
}
