// The round engine with a scripted transport: a bad upload is dropped, the device told why and given reward 0, and
// the global state stays exactly what the good uploads make it; late devices are dropped; the round lasts as its slowest.
using FedSpine.Federated.Aggregation;
using FedSpine.Federated.Bandits;
using FedSpine.Federated.Rounds;
using FedSpine.Pruning;

namespace FedSpine.Federated.Tests.Rounds;

public sealed class ServerRoundTests
{
    private sealed class ScriptedTransport(Func<RoundTask, DeviceReport?> answer) : IDeviceTransport
    {
        public List<(int Device, string Reason)> Drops { get; } = [];

        public IReadOnlyList<DeviceReport?> Exchange(IReadOnlyList<RoundTask> tasks) => tasks.Select(answer).ToList();

        public void Dropped(int deviceId, int round, string reason) => Drops.Add((deviceId, reason));
    }

    private static FederatedServer Server(int devices, double? deadline = null)
    {
        var space = new ArmSpace(0, 0.1, [2, 4], 2);
        var slots = Enumerable.Range(0, devices).Select(i => new DeviceSlot(i, "test", long.MaxValue,
            BanditFactory.Create("fixed", space, new BanditSettings { FixedArm = new Arm(0, 2) }), PruningMask.Full(EngineFixtures.Shapes))).ToList();
        var settings = new ServerSettings { Rounds = 3, LocalSteps = 2, FinalSparsity = 0, DeadlineSeconds = deadline };
        return new FederatedServer(settings, new LocalTrainingSettings(), EngineFixtures.Global(), slots, Aggregators.Create("scatter"), "test");
    }

    private static DeviceReport Honest(RoundTask task) =>
        EngineFixtures.Report(task, seed: (ulong)task.DeviceId + 1) with { ComputeSeconds = 1 + task.DeviceId };

    [Fact]
    public void A_poisoned_upload_is_dropped_and_leaves_the_state_what_the_others_make_it()
    {
        var clean = Server(3);
        clean.RunRound(new ScriptedTransport(t => t.DeviceId == 1 ? null : Honest(t)));   // device 1 silent

        var attacked = Server(3);
        var transport = new ScriptedTransport(t =>
        {
            var r = Honest(t);
            if (t.DeviceId == 1)
            {
                r.Factors[2].B[0] = float.NaN;
            }
            return r;
        });
        var summary = attacked.RunRound(transport);

        Assert.Equal(2, summary.Accepted);
        Assert.Equal("invalid", summary.Devices.Single(d => d.Device == 1).Status);
        Assert.Equal(0, summary.Devices.Single(d => d.Device == 1).Reward);
        Assert.Single(transport.Drops);
        Assert.Contains("NaN", transport.Drops[0].Reason, StringComparison.Ordinal);
        foreach (var (key, module) in clean.Global.Modules)
        {
            Assert.Equal(module.A, attacked.Global.Modules[key].A);
            Assert.Equal(module.B, attacked.Global.Modules[key].B);
        }
        Assert.Equal(clean.Global.HeadWeight, attacked.Global.HeadWeight);
    }

    [Fact]
    public void Only_bad_uploads_leave_the_global_state_unchanged()
    {
        var server = Server(2);
        var before = server.Global.Modules.ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        var summary = server.RunRound(new ScriptedTransport(t => Honest(t) with { HeadBias = [float.NaN, 0] }));
        Assert.Equal(0, summary.Accepted);
        foreach (var (key, module) in before)
        {
            Assert.Equal(module.B, server.Global.Modules[key].B);
        }
    }

    [Fact]
    public void Late_devices_are_dropped_and_the_round_lasts_until_the_deadline()
    {
        var server = Server(3, deadline: 3.5);
        var transport = new ScriptedTransport(Honest);   // totals 2, 3, 4 s
        var summary = server.RunRound(transport);
        Assert.Equal(2, summary.Accepted);
        Assert.Equal("late", summary.Devices.Single(d => d.Device == 2).Status);
        Assert.Equal(3.5, summary.RoundSeconds, 9);
        Assert.Contains("deadline", transport.Drops.Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_round_lasts_as_long_as_its_slowest_accepted_device()
    {
        var server = Server(3);
        var summary = server.RunRound(new ScriptedTransport(Honest));
        Assert.Equal(4.0, summary.RoundSeconds, 9);
        Assert.Equal(4.0, server.SimTime, 9);
        Assert.All(summary.Devices, d => Assert.InRange(d.Reward!.Value, 0, 1));
    }

    [Fact]
    public void Pruning_pace_reaches_the_final_sparsity_by_the_prune_end_round()
    {
        var space = new ArmSpace(0, 0.1, [2], 2);
        var slot = new DeviceSlot(0, "x", long.MaxValue, BanditFactory.Create("fixed", space, new BanditSettings { FixedArm = new Arm(0, 2) }),
            PruningMask.Full(EngineFixtures.Shapes));
        var server = new FederatedServer(new ServerSettings { FinalSparsity = 0.5, PruneEndRound = 4, Rounds = 6 }, new LocalTrainingSettings(),
            EngineFixtures.Global(), [slot], Aggregators.Create("scatter"), "t");
        double s = 0;
        for (int round = 1; round <= 4; round++)
        {
            s = server.NextSparsity(slot, new Arm(0, 2), round);
            slot.Sparsity = s;
        }
        Assert.Equal(0.5, s, 12);
        slot.Sparsity = 0;
        Assert.Equal(0.3, server.NextSparsity(slot, new Arm(0.3, 2), 1), 12);   // a bigger step than the pace is taken
    }
}
