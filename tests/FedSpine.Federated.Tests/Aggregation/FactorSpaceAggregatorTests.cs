// "factor-svd" gives flexlora's factors and product (pruned rows, pruned columns, unpruned, ranks above the global one,
// unowned rows/columns) and its naive reference, and refuses modules that prune both rows and columns.
using FedSpine.Federated.Aggregation;
using static FedSpine.Federated.Tests.Aggregation.AggregationFixtures;

namespace FedSpine.Federated.Tests.Aggregation;

public class FactorSpaceAggregatorTests
{
    [Theory]
    [InlineData(81, Pruning.Rows)]
    [InlineData(82, Pruning.Rows)]
    [InlineData(83, Pruning.Rows)]
    [InlineData(84, Pruning.Columns)]
    [InlineData(85, Pruning.Columns)]
    [InlineData(86, Pruning.Columns)]
    [InlineData(87, Pruning.None)]
    [InlineData(88, Pruning.None)]
    public void Equals_flexlora_factors_and_product(int seed, Pruning pruning)
    {
        var (previous, updates) = RandomCase(seed, [pruning, Pruning.None], ranksAboveGlobal: true);
        var viaFactors = FlexLoraAggregatorTests.AssertMatchesNaive(new FactorSpaceAggregator(), previous, updates);
        var dense = previous.Clone();
        new FlexLoraAggregator().Aggregate(dense, updates);
        AssertClose(ToDouble(dense.B), viaFactors.B, what: "B");
        AssertClose(ToDouble(dense.A), viaFactors.A, what: "A");
        AssertClose(NaiveAggregation.Product(dense), NaiveAggregation.Product(viaFactors), what: "B·A");
    }

    [Theory]
    [InlineData(Pruning.Rows)]
    [InlineData(Pruning.Columns)]
    public void Equals_flexlora_with_many_devices_and_unowned_units(Pruning pruning)
    {
        var rng = new Random(89);
        var previous = RandomGlobal(rng, 12, 9, 4);
        int[] units = pruning == Pruning.Rows ? [0, 2, 3, 5, 7, 8, 10] : [1, 2, 4, 6, 7];   // the others stay unowned
        var all = (int n) => Enumerable.Range(0, n).ToArray();
        var updates = Enumerable.Range(0, 4).Select(i =>
        {
            var kept = units.Where((_, k) => (k + i) % 3 != 0).ToArray();
            return pruning == Pruning.Rows
                ? RandomUpdate(rng, kept, all(9), 1 + i, 5 + 3 * i)
                : RandomUpdate(rng, all(12), kept, 1 + i, 5 + 3 * i);
        }).ToList();
        var viaFactors = FlexLoraAggregatorTests.AssertMatchesNaive(new FactorSpaceAggregator(), previous, updates);
        var dense = previous.Clone();
        new FlexLoraAggregator().Aggregate(dense, updates);
        AssertClose(ToDouble(dense.B), viaFactors.B, what: "B");
        AssertClose(ToDouble(dense.A), viaFactors.A, what: "A");
    }

    [Fact]
    public void Rows_and_columns_pruned_in_one_module_is_not_supported()
    {
        var rng = new Random(90);
        var global = RandomGlobal(rng, 8, 6, 2);
        var updates = new List<DeviceModuleUpdate>
        {
            RandomUpdate(rng, 8, 6, 2, Pruning.Rows),
            RandomUpdate(rng, 8, 6, 2, Pruning.Columns),
        };
        var error = Assert.Throws<NotSupportedException>(() => new FactorSpaceAggregator().Aggregate(global, updates));
        Assert.Contains("both rows and columns", error.Message, StringComparison.Ordinal);
        Assert.Throws<NotSupportedException>(() => new FactorSpaceAggregator().Aggregate(global, [RandomUpdate(rng, 8, 6, 1, Pruning.Both)]));
    }
}
