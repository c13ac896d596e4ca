// "flexlora" against its formula (owner-normalised dense ΔW, rank-R truncated SVD, sign convention), one device and
// disjoint owners reproduced exactly, unowned coordinates keeping the previous B·A, and the Eckart–Young tail error.
using FedSpine.Federated.Aggregation;
using static FedSpine.Federated.Tests.Aggregation.AggregationFixtures;

namespace FedSpine.Federated.Tests.Aggregation;

public class FlexLoraAggregatorTests
{
    /// <summary>Aggregates a copy with <paramref name="aggregator"/> and checks factors and product against the naive truncation.</summary>
    internal static GlobalModule AssertMatchesNaive(ILoraAggregator aggregator, GlobalModule previous, List<DeviceModuleUpdate> updates)
    {
        var delta = NaiveAggregation.FlexDelta(previous, updates);
        var (b, a, _) = NaiveAggregation.Truncate(delta, previous.Out, previous.In, previous.Rank);
        var global = previous.Clone();
        aggregator.Aggregate(global, updates);
        AssertClose(NaiveAggregation.Multiply(b, a, previous.Out, previous.In, previous.Rank), NaiveAggregation.Product(global), what: "B·A");
        AssertClose(b, global.B, what: "B");
        AssertClose(a, global.A, what: "A");
        return global;
    }

    [Theory]
    [InlineData(61)]
    [InlineData(62)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(66)]
    public void Matches_naive_dense_truncated_svd(int seed)
    {
        var (global, updates) = RandomCase(seed, [Pruning.Rows, Pruning.Both, Pruning.Columns, Pruning.None], ranksAboveGlobal: true);
        AssertMatchesNaive(new FlexLoraAggregator(), global, updates);
    }

    [Theory]
    [InlineData("flexlora")]
    [InlineData("factor-svd")]
    public void One_unpruned_device_within_the_rank_is_reproduced(string name)
    {
        var rng = new Random(67);
        var global = RandomGlobal(rng, 9, 7, 4);
        var u = RandomUpdate(rng, 9, 7, 3, Pruning.None);
        Aggregators.Create(name).Aggregate(global, [u]);
        AssertClose(NaiveAggregation.Delta(u, 9, 7), NaiveAggregation.Product(global));
    }

    [Theory]
    [InlineData("flexlora", false)]
    [InlineData("flexlora", true)]
    [InlineData("factor-svd", false)]
    [InlineData("factor-svd", true)]
    public void Disjoint_owners_do_not_dilute_each_other(string name, bool byColumns)
    {
        var rng = new Random(68);
        int outDim = 8, inDim = 6;
        var all = (int n) => Enumerable.Range(0, n).ToArray();
        var first = byColumns ? RandomUpdate(rng, all(outDim), [0, 1, 2], 2, 3) : RandomUpdate(rng, [0, 1, 2, 3], all(inDim), 2, 3);
        var second = byColumns ? RandomUpdate(rng, all(outDim), [3, 4, 5], 2, 40) : RandomUpdate(rng, [4, 5, 6, 7], all(inDim), 2, 40);
        var global = RandomGlobal(rng, outDim, inDim, 4);
        Aggregators.Create(name).Aggregate(global, [first, second]);
        var expected = NaiveAggregation.Delta(first, outDim, inDim);
        var other = NaiveAggregation.Delta(second, outDim, inDim);
        for (int k = 0; k < expected.Length; k++)
        {
            expected[k] += other[k];   // the owners' blocks side by side, each at full strength
        }
        AssertClose(expected, NaiveAggregation.Product(global));
    }

    [Theory]
    [InlineData("flexlora", false)]
    [InlineData("flexlora", true)]
    [InlineData("factor-svd", false)]
    [InlineData("factor-svd", true)]
    public void Unowned_coordinates_keep_the_previous_product(string name, bool byColumns)
    {
        var rng = new Random(69);
        int outDim = 9, inDim = 7, rank = 3;
        var global = RandomGlobal(rng, outDim, inDim, rank);
        for (int row = 0; row < outDim; row++)
        {
            global.B[row * rank + 1] = global.B[row * rank + 2] = 0;   // previous B·A of rank 1, so rank 1 + 2 ≤ R is exact
        }
        var previous = NaiveAggregation.Product(global);
        var u = byColumns
            ? RandomUpdate(rng, Enumerable.Range(0, outDim).ToArray(), [1, 2, 5], 2, 4)
            : RandomUpdate(rng, [0, 3, 4, 8], Enumerable.Range(0, inDim).ToArray(), 2, 4);
        var mine = NaiveAggregation.Delta(u, outDim, inDim);
        Aggregators.Create(name).Aggregate(global, [u]);
        var expected = new double[outDim * inDim];
        for (int row = 0; row < outDim; row++)
        {
            for (int col = 0; col < inDim; col++)
            {
                bool owned = u.KeptRows.Contains(row) && u.KeptColumns.Contains(col);
                expected[row * inDim + col] = owned ? mine[row * inDim + col] : previous[row * inDim + col];
            }
        }
        AssertClose(expected, NaiveAggregation.Product(global));
    }

    [Theory]
    [InlineData("flexlora")]
    [InlineData("factor-svd")]
    public void Truncation_error_equals_the_tail_singular_values(string name)
    {
        var rng = new Random(70);
        var global = RandomGlobal(rng, 10, 8, 2);
        var u = RandomUpdate(rng, 10, 8, 5, Pruning.None);
        var delta = NaiveAggregation.Delta(u, 10, 8);
        var (_, _, singular) = NaiveAggregation.Truncate(delta, 10, 8, 2);
        Aggregators.Create(name).Aggregate(global, [u]);
        var product = NaiveAggregation.Product(global);
        double error = Math.Sqrt(delta.Select((v, k) => (v - product[k]) * (v - product[k])).Sum());
        double tail = Math.Sqrt(singular.Skip(2).Sum(s => s * s));
        Assert.True(singular[2] > 1e-3 * singular[0], "the case must have a real tail");
        Assert.Equal(tail, error, 1e-5 * singular[0]);
    }

    [Theory]
    [InlineData("flexlora", 71)]
    [InlineData("factor-svd", 72)]
    public void Each_B_column_has_its_largest_entry_positive(string name, int seed)
    {
        var (global, updates) = RandomCase(seed, [Pruning.Rows], ranksAboveGlobal: true);
        Aggregators.Create(name).Aggregate(global, updates);
        for (int j = 0; j < global.Rank; j++)
        {
            var column = Enumerable.Range(0, global.Out).Select(row => global.B[row * global.Rank + j]).ToArray();
            float largest = column.MaxBy(Math.Abs);
            Assert.True(largest >= 0, $"column {j}: largest-magnitude entry {largest}");
        }
    }
}
