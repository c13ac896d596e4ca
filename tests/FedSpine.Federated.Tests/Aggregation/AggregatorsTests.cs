// Behaviour every strategy shares: the factory's names and its error, an empty update list leaving the module
// unchanged, clear ArgumentExceptions for updates that do not fit the module, and bit-identical repeated results.
using FedSpine.Federated.Aggregation;
using static FedSpine.Federated.Tests.Aggregation.AggregationFixtures;

namespace FedSpine.Federated.Tests.Aggregation;

public class AggregatorsTests
{
    public static TheoryData<string> Names => new(Aggregators.Names);

    [Theory]
    [MemberData(nameof(Names))]
    public void Create_returns_the_named_strategy(string name) => Assert.Equal(name, Aggregators.Create(name).Name);

    [Fact]
    public void Default_is_scatter() => Assert.IsType<MaskAwareAverage>(Aggregators.Create(Aggregators.DefaultName));

    [Fact]
    public void Unknown_name_is_named_with_the_valid_ones()
    {
        var error = Assert.Throws<ArgumentException>(() => Aggregators.Create("fedprox"));
        Assert.Contains("'fedprox'", error.Message, StringComparison.Ordinal);
        foreach (string name in Aggregators.Names)
        {
            Assert.Contains(name, error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Empty_update_list_leaves_the_module_unchanged(string name)
    {
        var global = RandomGlobal(new Random(101), 7, 5, 3);
        var before = global.Clone();
        Aggregators.Create(name).Aggregate(global, []);
        Assert.Equal(before.A, global.A);
        Assert.Equal(before.B, global.B);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Updates_that_do_not_fit_the_module_are_rejected(string name)
    {
        var rng = new Random(102);
        var global = RandomGlobal(rng, 7, 5, 3);
        var aggregator = Aggregators.Create(name);
        var good = RandomUpdate(rng, 7, 5, 2, Pruning.None);
        var tooManyRows = RandomUpdate(rng, 8, 5, 2, Pruning.None);
        var rowOutOfRange = RandomUpdate(rng, [0, 7], [0, 1, 2, 3, 4], 2, 1);
        var shortB = good with { B = new float[3] };
        var shortA = good with { A = new float[good.A.Length - 1] };
        foreach (var bad in new[] { tooManyRows, rowOutOfRange, shortB, shortA })
        {
            var error = Assert.Throws<ArgumentException>(() => aggregator.Aggregate(global, [good, bad]));
            Assert.Contains("update 1", error.Message, StringComparison.Ordinal);
        }
        var highRank = RandomUpdate(rng, 7, 5, 4, Pruning.None);
        if (name is "flexlora" or "factor-svd")
        {
            aggregator.Aggregate(global, [highRank]);   // truncated to the global rank
        }
        else
        {
            Assert.Contains("rank 4", Assert.Throws<ArgumentException>(() => aggregator.Aggregate(global, [highRank])).Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void A_device_with_zero_weight_does_not_contribute(string name)
    {
        var (global, updates) = RandomCase(104, [Pruning.Rows, Pruning.None], ranksAboveGlobal: false);
        var withIdle = global.Clone();
        var idle = RandomUpdate(new Random(105), global.Out, global.In, global.Rank, Pruning.None, weight: 0);
        Aggregators.Create(name).Aggregate(global, updates);
        Aggregators.Create(name).Aggregate(withIdle, [.. updates, idle]);
        AssertClose(ToDouble(global.A), withIdle.A, 1e-6);
        AssertClose(ToDouble(global.B), withIdle.B, 1e-6);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Repeated_aggregation_is_bit_identical(string name)
    {
        var (global, updates) = RandomCase(103, [Pruning.Rows, Pruning.None], ranksAboveGlobal: false);
        var again = global.Clone();
        Aggregators.Create(name).Aggregate(global, updates);
        Aggregators.Create(name).Aggregate(again, updates);
        Assert.Equal(global.A, again.A);
        Assert.Equal(global.B, again.B);
    }
}
