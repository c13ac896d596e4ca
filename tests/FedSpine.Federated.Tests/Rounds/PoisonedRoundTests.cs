// One hostile device among honest ones in a round: its change is clipped to the bound of the round's median change norm,
// its sample-count lie is capped, a round whose aggregate is non-finite or jumps too far is rolled back (global state
// byte-identical, devices named), and a task holding non-finite values is refused by the device.
using FedSpine.Federated.Aggregation;
using FedSpine.Federated.Bandits;
using FedSpine.Federated.Rounds;
using FedSpine.Pruning;

namespace FedSpine.Federated.Tests.Rounds;

public sealed class PoisonedRoundTests
{
    private sealed class ScriptedTransport(Func<RoundTask, DeviceReport?> answer) : IDeviceTransport
    {
        public IReadOnlyList<DeviceReport?> Exchange(IReadOnlyList<RoundTask> tasks) => tasks.Select(answer).ToList();

        public void Dropped(int deviceId, int round, string reason)
        {
        }
    }

    private static FederatedServer Server(int devices, Func<ServerSettings, ServerSettings>? adjust = null, string aggregator = "scatter")
    {
        var space = new ArmSpace(0, 0.1, [2, 4], 2);
        var slots = Enumerable.Range(0, devices).Select(i => new DeviceSlot(i, "test", long.MaxValue,
            BanditFactory.Create("fixed", space, new BanditSettings { FixedArm = new Arm(0, 2) }), PruningMask.Full(EngineFixtures.Shapes))).ToList();
        var settings = new ServerSettings { Rounds = 3, LocalSteps = 2, FinalSparsity = 0 };
        return new FederatedServer(adjust?.Invoke(settings) ?? settings, new LocalTrainingSettings(), EngineFixtures.Global(), slots,
            Aggregators.Create(aggregator), "test");
    }

    private static DeviceReport Honest(RoundTask task) => EngineFixtures.Report(task, seed: (ulong)task.DeviceId + 1);

    private static DeviceReport Scaled(DeviceReport r, float factor) => r with
    {
        Factors = r.Factors.Select(f => f with { A = f.A.Select(v => v * factor).ToArray(), B = f.B.Select(v => v * factor).ToArray() }).ToList(),
        HeadWeight = r.HeadWeight.Select(v => v * factor).ToArray(),
        HeadBias = r.HeadBias.Select(v => v * factor).ToArray(),
    };

    private static DeviceReport Filled(DeviceReport r, float value) => r with
    {
        Factors = r.Factors.Select(f => f with { A = f.A.Select(_ => value).ToArray(), B = f.B.Select(_ => value).ToArray() }).ToList(),
        HeadWeight = r.HeadWeight.Select(_ => value).ToArray(),
        HeadBias = r.HeadBias.Select(_ => value).ToArray(),
    };

    private static List<float[]> State(GlobalLora g) =>
        [.. g.Modules.Values.SelectMany(m => new[] { (float[])m.A.Clone(), (float[])m.B.Clone() }), (float[])g.HeadWeight.Clone(), (float[])g.HeadBias.Clone()];

    [Fact]
    public void A_huge_change_is_clipped_onto_the_bound_of_the_median_change_norm()
    {
        var global = EngineFixtures.Global();
        var mask = PruningMask.Full(EngineFixtures.Shapes);
        var uploads = Enumerable.Range(0, 5).Select(i =>
        {
            var task = EngineFixtures.Task(global, mask, device: i);
            var r = EngineFixtures.Report(task, seed: (ulong)i + 1);
            return (i == 3 ? Scaled(r, 1000) : r, task.Alpha);
        }).ToList();
        var norms = uploads.Select(u => UploadBounds.ChangeNorm(u.Item1, u.Alpha, global)).ToArray();
        double median = norms.Order().ElementAt(2);
        var bounded = UploadBounds.Apply(uploads, global, new ServerSettings { ClipMultiple = 4 });

        Assert.True(bounded[3].ClipFactor < 1e-2, $"clip factor {bounded[3].ClipFactor}");
        Assert.Equal(4 * median, UploadBounds.ChangeNorm(bounded[3].Report, uploads[3].Alpha, global), 4 * median * 1e-4);
        foreach (int i in new[] { 0, 1, 2, 4 })
        {
            Assert.Equal(1, bounded[i].ClipFactor);
            Assert.Same(uploads[i].Item1.Factors, bounded[i].Report.Factors);
        }
    }

    [Fact]
    public void Clipping_off_leaves_every_upload_as_it_came()
    {
        var global = EngineFixtures.Global();
        var task = EngineFixtures.Task(global, PruningMask.Full(EngineFixtures.Shapes));
        var uploads = new[] { (Honest(task), task.Alpha), (Scaled(Honest(task), 1000), task.Alpha), (Honest(task), task.Alpha) };
        var bounded = UploadBounds.Apply(uploads, global, new ServerSettings { ClipMultiple = 0 });
        Assert.All(bounded, b => Assert.Equal(1, b.ClipFactor));
    }

    [Fact]
    public void A_sample_count_lie_is_capped_by_the_known_count_else_by_the_median_claim()
    {
        var global = EngineFixtures.Global();
        var task = EngineFixtures.Task(global, PruningMask.Full(EngineFixtures.Shapes));
        var uploads = new[] { 40, 50, int.MaxValue, 60 }.Select((n, i) => (Honest(task) with { DeviceId = i, SampleCount = n }, task.Alpha)).ToList();

        var byMedian = UploadBounds.Apply(uploads, global, new ServerSettings { WeightCapMultiple = 3 });
        Assert.Equal([40, 50, (int)Math.Floor(3 * 55.0), 60], byMedian.Select(b => b.Report.SampleCount));
        Assert.Equal(int.MaxValue, byMedian[2].ClaimedSamples);

        var byKnown = UploadBounds.Apply(uploads, global, new ServerSettings { KnownSampleCounts = [40, 50, 45, 70] });
        Assert.Equal([40, 50, 45, 60], byKnown.Select(b => b.Report.SampleCount));
    }

    [Fact]
    public void Claiming_2_to_the_31_samples_no_longer_sets_the_head_to_the_attackers_value()
    {
        var server = Server(4, s => s with { KnownSampleCounts = [50, 50, 50, 50] });
        var summary = server.RunRound(new ScriptedTransport(t => t.DeviceId == 2
            ? Honest(t) with { SampleCount = int.MaxValue, HeadBias = [5f, -5f] }
            : Honest(t)));
        Assert.Null(summary.RolledBack);
        Assert.Equal(50, summary.Devices.Single(d => d.Device == 2).Weight);
        Assert.NotEqual(5f, server.Global.HeadBias[0]);
        Assert.InRange(server.Global.HeadBias[0], -2f, 2f);
    }

    [Theory]
    [InlineData(3e38f)]
    [InlineData(1e20f)]
    public void With_the_defaults_huge_values_neither_poison_nor_roll_back_the_round(float value)
    {
        var server = Server(5);
        var summary = server.RunRound(new ScriptedTransport(t => t.DeviceId == 1 ? Filled(Honest(t), value) : Honest(t)));
        Assert.Null(summary.RolledBack);
        Assert.Equal(5, summary.Accepted);
        Assert.True(summary.Devices.Single(d => d.Device == 1).ClipFactor < 1e-10);
        Assert.All(State(server.Global), part => Assert.All(part, v => Assert.True(float.IsFinite(v))));
        Assert.True(summary.GlobalChange < 1, $"global change {summary.GlobalChange}");
    }

    [Fact]
    public void A_non_finite_aggregate_is_rolled_back_byte_identical_naming_the_devices()
    {
        // Unbounded: the lie gives the hostile device all the weight, and its B times the scale overflows float.
        var server = Server(3, s => s with { ClipMultiple = 0, WeightCapMultiple = 0 });
        var before = State(server.Global);
        var summary = server.RunRound(new ScriptedTransport(t => t.DeviceId == 1 ? Filled(Honest(t), 3e38f) with { SampleCount = int.MaxValue } : Honest(t)));

        Assert.NotNull(summary.RolledBack);
        Assert.Contains("round 1 rolled back", summary.RolledBack, StringComparison.Ordinal);
        Assert.Contains("non-finite", summary.RolledBack, StringComparison.Ordinal);
        Assert.EndsWith("devices in it: 0, 1, 2", summary.RolledBack, StringComparison.Ordinal);
        Assert.Equal(0, summary.Accepted);
        Assert.All(summary.Devices, d => Assert.Equal("rolled-back", d.Status));
        var after = State(server.Global);
        for (int i = 0; i < before.Count; i++)
        {
            Assert.Equal(before[i], after[i]);
        }
        Assert.Equal(1, server.Round);
    }

    [Fact]
    public void A_norm_jump_beyond_the_bound_is_rolled_back_and_within_it_is_kept()
    {
        var strict = Server(3, s => s with { MaxGlobalChange = 1e-4 });
        var before = State(strict.Global);
        var rolled = strict.RunRound(new ScriptedTransport(Honest));
        Assert.NotNull(rolled.RolledBack);
        Assert.Contains("max_global_change", rolled.RolledBack, StringComparison.Ordinal);
        Assert.True(rolled.GlobalChange > 1e-4);
        Assert.Equal(before.SelectMany(p => p), State(strict.Global).SelectMany(p => p));

        var loose = Server(3, s => s with { MaxGlobalChange = rolled.GlobalChange * 1.01 });
        var kept = loose.RunRound(new ScriptedTransport(Honest));
        Assert.Null(kept.RolledBack);
        Assert.Equal(rolled.GlobalChange, kept.GlobalChange, 12);
        Assert.NotEqual(before.SelectMany(p => p), State(loose.Global).SelectMany(p => p));
    }

    [Theory]
    [InlineData("median")]
    [InlineData("trimmed-mean")]
    [InlineData("clipped-scatter")]
    public void Robust_aggregators_run_whole_rounds_with_a_hostile_device_and_clipping_off(string aggregator)
    {
        var server = Server(5, s => s with { ClipMultiple = 0, WeightCapMultiple = 0 }, aggregator);
        int claim = aggregator == "clipped-scatter" ? 50 : int.MaxValue;   // a weighted average trusts the (here uncapped) counts
        var summary = server.RunRound(new ScriptedTransport(t => t.DeviceId == 4 ? Filled(Honest(t), 3e38f) with { SampleCount = claim } : Honest(t)));
        Assert.Null(summary.RolledBack);
        Assert.All(State(server.Global), part => Assert.All(part, v => Assert.True(float.IsFinite(v))));
    }

    [Fact]
    public void A_device_refuses_a_task_holding_a_non_finite_value()
    {
        var global = EngineFixtures.Global();
        var task = EngineFixtures.Task(global, PruningMask.Full(EngineFixtures.Shapes));
        Assert.Null(TaskCheck.NonFinite(task));
        task.Factors[3].B[5] = float.NaN;
        string? problem = TaskCheck.NonFinite(task);
        Assert.NotNull(problem);
        Assert.Contains($"layer {task.Factors[3].Layer} {task.Factors[3].Target.ToString().ToLowerInvariant()} B", problem, StringComparison.Ordinal);
        Assert.Contains("index 5", problem, StringComparison.Ordinal);
        var headTask = EngineFixtures.Task(global, PruningMask.Full(EngineFixtures.Shapes)) is var t2 ? t2 with { HeadBias = [0f, float.PositiveInfinity] } : null!;
        Assert.Contains("head bias", TaskCheck.NonFinite(headTask), StringComparison.Ordinal);
    }
}

public sealed class UploadAttackTests
{
    [Fact]
    public void Attacks_change_the_upload_as_named()
    {
        var global = EngineFixtures.Global();
        var honest = EngineFixtures.Report(EngineFixtures.Task(global, PruningMask.Full(EngineFixtures.Shapes)));
        var scaled = UploadAttack.Parse("scale:1000").Apply(honest);
        Assert.Equal(honest.Factors[1].B[3] * 1000f, scaled.Factors[1].B[3]);
        Assert.Equal(honest.Factors[1].A, scaled.Factors[1].A);
        Assert.Equal(-honest.HeadBias[0], UploadAttack.Parse("sign-flip").Apply(honest).HeadBias[0]);
        Assert.All(UploadAttack.Parse("value:3e38").Apply(honest).Factors[0].A, v => Assert.Equal(3e38f, v));
        Assert.Equal(int.MaxValue, UploadAttack.Parse("samples:2147483647").Apply(honest).SampleCount);
        Assert.True(float.IsNaN(UploadAttack.Parse("nan").Apply(honest).Factors[2].B[0]));
    }

    [Theory]
    [InlineData("scale")]
    [InlineData("nan:3")]
    [InlineData("flood")]
    [InlineData("samples:0")]
    public void Bad_specs_are_named(string spec) =>
        Assert.Contains($"'{spec}'", Assert.Throws<ArgumentException>(() => UploadAttack.Parse(spec)).Message, StringComparison.Ordinal);
}
