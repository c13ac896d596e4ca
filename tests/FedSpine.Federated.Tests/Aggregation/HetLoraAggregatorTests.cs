// "hetlora" against its formula (owner-weighted average with weights ||Scale·B·A||_F, norms checked against the dense
// ΔW), the zero-norm fallback to sample weights, and no dilution between disjoint owners.
using FedSpine.Federated.Aggregation;
using static FedSpine.Federated.Tests.Aggregation.AggregationFixtures;

namespace FedSpine.Federated.Tests.Aggregation;

public class HetLoraAggregatorTests
{
    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    [InlineData(24)]
    [InlineData(25)]
    public void Matches_naive_norm_weighted_average(int seed)
    {
        var (global, updates) = RandomCase(seed, [Pruning.Columns, Pruning.Rows, Pruning.Both, Pruning.None]);
        var norms = updates.Select(u => NaiveAggregation.Frobenius(NaiveAggregation.Delta(u, global.Out, global.In))).ToArray();
        var (b, a) = NaiveAggregation.OwnedAverage(global, updates, NaiveAggregation.Normalise(norms));
        new HetLoraAggregator().Aggregate(global, updates);
        AssertClose(b, global.B, what: "B");
        AssertClose(a, global.A, what: "A");
    }

    [Theory]
    [InlineData(26)]
    [InlineData(27)]
    public void Factor_space_norm_equals_dense_norm(int seed)
    {
        var (global, updates) = RandomCase(seed, [Pruning.Both, Pruning.Rows]);
        foreach (var u in updates)
        {
            double dense = NaiveAggregation.Frobenius(NaiveAggregation.Delta(u, global.Out, global.In));
            Assert.Equal(dense, UpdateNorm.Frobenius(u), dense * 1e-10);
        }
    }

    [Fact]
    public void All_zero_norms_fall_back_to_sample_weights()
    {
        var rng = new Random(28);
        var global = RandomGlobal(rng, 8, 6, 3);
        var updates = new List<DeviceModuleUpdate>
        {
            RandomUpdate(rng, 8, 6, 2, Pruning.Rows, weight: 10),
            RandomUpdate(rng, 8, 6, 3, Pruning.Columns, weight: 30),
        };
        foreach (var u in updates)
        {
            Array.Clear(u.B);
        }
        var viaScatter = global.Clone();
        new MaskAwareAverage().Aggregate(viaScatter, updates);
        new HetLoraAggregator().Aggregate(global, updates);
        Assert.Equal(viaScatter.A, global.A);
        Assert.Equal(viaScatter.B, global.B);
    }

    [Fact]
    public void Disjoint_row_owners_do_not_dilute_each_other()
    {
        var rng = new Random(29);
        var global = RandomGlobal(rng, 6, 5, 2);
        var first = RandomUpdate(rng, [0, 2, 4], Enumerable.Range(0, 5).ToArray(), 2, weight: 1);
        var second = RandomUpdate(rng, [1, 3, 5], Enumerable.Range(0, 5).ToArray(), 2, weight: 1);
        for (int k = 0; k < second.B.Length; k++)
        {
            second.B[k] *= 20;   // a far larger norm must not shrink the first device's rows
        }
        new HetLoraAggregator().Aggregate(global, [first, second]);
        for (int p = 0; p < 3; p++)
        {
            for (int j = 0; j < 2; j++)
            {
                Assert.Equal(first.Scale * first.B[p * 2 + j], global.B[(2 * p) * 2 + j], 1e-6);
                Assert.Equal(second.Scale * second.B[p * 2 + j], global.B[(2 * p + 1) * 2 + j], 1e-4);
            }
        }
    }
}
