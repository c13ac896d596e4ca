// The change bound for aggregators that re-factor (flexlora, factor-svd) is measured on B·A, not on the factors: a new
// basis for the same product is no change, a first round from B = 0 is not bounded, a product that jumps is rolled back,
// and server momentum (a coordinate-wise velocity) is refused with them.
using FedSpine.Federated.Aggregation;
using FedSpine.Federated.Bandits;
using FedSpine.Federated.Rounds;
using FedSpine.Federated.Runs;
using FedSpine.Pruning;

namespace FedSpine.Federated.Tests.Rounds;

public sealed class RefactoringAggregatorChangeTests
{
    private sealed class HonestTransport : IDeviceTransport
    {
        public IReadOnlyList<DeviceReport?> Exchange(IReadOnlyList<RoundTask> tasks) =>
            tasks.Select(t => (DeviceReport?)EngineFixtures.Report(t, seed: (ulong)t.DeviceId + 1)).ToList();

        public void Dropped(int deviceId, int round, string reason)
        {
        }
    }

    [Fact]
    public void A_new_basis_for_the_same_product_is_no_change_in_product_space_but_a_large_one_in_factor_space()
    {
        var global = EngineFixtures.Global();
        var snapshot = new GlobalSnapshot(global);
        foreach (var m in global.Modules.Values)
        {
            for (int i = 0; i < m.A.Length; i++)
            {
                m.A[i] *= 4f;   // A·4 and B/4: B·A is the same matrix
            }
            for (int i = 0; i < m.B.Length; i++)
            {
                m.B[i] *= 0.25f;
            }
        }

        Assert.Null(snapshot.Check(global, 1.0, out double product, productSpace: true));
        Assert.True(product < 1e-6, $"product-space change {product}");
        Assert.NotNull(snapshot.Check(global, 1.0, out double factor));
        Assert.True(factor > 1.0, $"factor-space change {factor}");
    }

    [Fact]
    public void A_product_that_triples_is_a_change_of_two_and_is_refused_beyond_the_bound()
    {
        var global = EngineFixtures.Global();
        var snapshot = new GlobalSnapshot(global);
        foreach (var m in global.Modules.Values)
        {
            for (int i = 0; i < m.B.Length; i++)
            {
                m.B[i] *= 3f;
            }
        }

        string? why = snapshot.Check(global, 1.0, out double change, productSpace: true);

        // Σ||3BA − BA||² = 4·Σ||BA||²; the head did not move but counts in the norm, so the ratio is just under 2.
        double products = global.Modules.Values.Sum(m => Math.Pow(GlobalLora.UpdateNorm(new ModuleFactors(0, default, m.Rank, m.A, m.B), m.Rank) / 3, 2));
        double head = global.HeadWeight.Concat(global.HeadBias).Sum(v => (double)v * v);
        Assert.Equal(2 * Math.Sqrt(products / (products + head)), change, 1e-5);
        Assert.NotNull(why);
        Assert.Contains("beyond max_global_change 1", why, StringComparison.Ordinal);
    }

    [Fact]
    public void While_every_product_is_zero_only_finiteness_is_checked()
    {
        var global = EngineFixtures.Global();
        foreach (var m in global.Modules.Values)
        {
            Array.Clear(m.B);   // the start: ΔW = 0 everywhere
        }
        var snapshot = new GlobalSnapshot(global);
        foreach (var m in global.Modules.Values)
        {
            m.B[0] = 100f;
        }

        Assert.Null(snapshot.Check(global, 1.0, out _, productSpace: true));
        global.HeadBias[1] = float.NaN;
        string? why = snapshot.Check(global, 1.0, out _, productSpace: true);
        Assert.NotNull(why);
        Assert.Contains("head.bias holds a non-finite value", why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("factor-svd")]
    [InlineData("flexlora")]
    public void Honest_rounds_from_a_zero_start_are_kept_under_the_default_bound(string aggregator)
    {
        var global = EngineFixtures.Global();
        foreach (var m in global.Modules.Values)
        {
            Array.Clear(m.B);
        }
        var space = new ArmSpace(0, 0.1, [2, 4], 2);
        var slots = Enumerable.Range(0, 3).Select(i => new DeviceSlot(i, "test", long.MaxValue,
            BanditFactory.Create("fixed", space, new BanditSettings { FixedArm = new Arm(0, 2) }), PruningMask.Full(EngineFixtures.Shapes))).ToList();
        var server = new FederatedServer(new ServerSettings { Rounds = 3, LocalSteps = 2, FinalSparsity = 0 }, new LocalTrainingSettings(),
            global, slots, Aggregators.Create(aggregator), "test");

        for (int round = 1; round <= 3; round++)
        {
            var summary = server.RunRound(new HonestTransport());
            Assert.Null(summary.RolledBack);
            Assert.Equal(3, summary.Accepted);
        }
    }

    [Theory]
    [InlineData("factor-svd")]
    [InlineData("flexlora")]
    public void Server_momentum_with_a_refactoring_aggregator_is_one_error_naming_the_key(string aggregator)
    {
        var space = new ArmSpace(0, 0.1, [2, 4], 2);
        var slots = new[] { new DeviceSlot(0, "test", long.MaxValue,
            BanditFactory.Create("fixed", space, new BanditSettings { FixedArm = new Arm(0, 2) }), PruningMask.Full(EngineFixtures.Shapes)) };
        var error = Assert.Throws<ArgumentException>(() => new FederatedServer(
            new ServerSettings { Rounds = 3, LocalSteps = 2, FinalSparsity = 0, ServerMomentum = 0.9 }, new LocalTrainingSettings(),
            EngineFixtures.Global(), slots, Aggregators.Create(aggregator), "test"));
        Assert.StartsWith("server_momentum:", error.Message, StringComparison.Ordinal);
        Assert.Contains(aggregator, error.Message, StringComparison.Ordinal);

        var config = new RunConfig { Aggregator = aggregator, ServerMomentum = 0.9 };
        var invalid = Assert.Throws<ArgumentException>(() => RunConfigValidator.Validate(config));
        Assert.StartsWith("server_momentum: must be 0 with aggregator " + aggregator, invalid.Message, StringComparison.Ordinal);
    }
}
