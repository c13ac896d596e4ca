// "scatter" against its formula (owner-weighted per-coordinate average of scattered factors), one-device placement,
// no dilution between disjoint owners or by lower-rank devices, and unowned coordinates keeping their value.
using FedSpine.Federated.Aggregation;
using static FedSpine.Federated.Tests.Aggregation.AggregationFixtures;

namespace FedSpine.Federated.Tests.Aggregation;

public class MaskAwareAverageTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Matches_naive_owner_weighted_average(int seed)
    {
        var (global, updates) = RandomCase(seed, [Pruning.Rows, Pruning.Columns, Pruning.None, Pruning.Both]);
        var (b, a) = NaiveAggregation.OwnedAverage(global, updates, NaiveAggregation.SampleWeights(updates));
        new MaskAwareAverage().Aggregate(global, updates);
        AssertClose(b, global.B, what: "B");
        AssertClose(a, global.A, what: "A");
    }

    [Fact]
    public void One_full_rank_device_gives_its_factors()
    {
        var rng = new Random(11);
        var global = RandomGlobal(rng, 8, 6, 3);
        var u = RandomUpdate(rng, 8, 6, 3, Pruning.None);
        new MaskAwareAverage().Aggregate(global, [u]);
        AssertClose(u.B.Select(v => (double)u.Scale * v).ToArray(), global.B, 1e-6);
        AssertClose(ToDouble(u.A), global.A, 1e-6);
    }

    [Fact]
    public void Low_rank_device_fills_its_slots_and_does_not_dilute_higher_ranks()
    {
        var rng = new Random(12);
        var global = RandomGlobal(rng, 7, 5, 3);
        var low = RandomUpdate(rng, 7, 5, 1, Pruning.None, weight: 90);
        var high = RandomUpdate(rng, 7, 5, 3, Pruning.None, weight: 10);
        new MaskAwareAverage().Aggregate(global, [low, high]);
        for (int row = 0; row < 7; row++)
        {
            for (int j = 1; j < 3; j++)
            {
                Assert.Equal(high.Scale * high.B[row * 3 + j], global.B[row * 3 + j], 1e-5);
            }
            double mixed = (0.9 * low.Scale * low.B[row] + 0.1 * high.Scale * high.B[row * 3]);
            Assert.Equal(mixed, global.B[row * 3], 1e-5);
        }
        for (int col = 0; col < 5; col++)
        {
            Assert.Equal(high.A[2 * 5 + col], global.A[2 * 5 + col], 1e-6);
        }
    }

    [Fact]
    public void Disjoint_row_and_column_owners_do_not_dilute_each_other()
    {
        var rng = new Random(13);
        var global = RandomGlobal(rng, 8, 6, 2);
        var rowsA = RandomUpdate(rng, [0, 1, 2, 3], Enumerable.Range(0, 6).ToArray(), 2, weight: 5);
        var rowsB = RandomUpdate(rng, [4, 5, 6, 7], Enumerable.Range(0, 6).ToArray(), 2, weight: 50);
        new MaskAwareAverage().Aggregate(global, [rowsA, rowsB]);
        for (int p = 0; p < 4; p++)
        {
            for (int j = 0; j < 2; j++)
            {
                Assert.Equal(rowsA.Scale * rowsA.B[p * 2 + j], global.B[p * 2 + j], 1e-6);
                Assert.Equal(rowsB.Scale * rowsB.B[p * 2 + j], global.B[(p + 4) * 2 + j], 1e-6);
            }
        }

        var colsA = RandomUpdate(rng, Enumerable.Range(0, 8).ToArray(), [0, 2, 4], 2, weight: 5);
        var colsB = RandomUpdate(rng, Enumerable.Range(0, 8).ToArray(), [1, 3, 5], 2, weight: 50);
        new MaskAwareAverage().Aggregate(global, [colsA, colsB]);
        for (int j = 0; j < 2; j++)
        {
            for (int q = 0; q < 3; q++)
            {
                Assert.Equal(colsA.A[j * 3 + q], global.A[j * 6 + 2 * q], 1e-6);
                Assert.Equal(colsB.A[j * 3 + q], global.A[j * 6 + 2 * q + 1], 1e-6);
            }
        }
    }

    [Fact]
    public void Unowned_coordinates_keep_their_previous_value()
    {
        var rng = new Random(14);
        var global = RandomGlobal(rng, 9, 7, 4);
        var before = global.Clone();
        var u = RandomUpdate(rng, [1, 4, 5], [0, 3, 6], 2, weight: 3);
        new MaskAwareAverage().Aggregate(global, [u]);
        for (int row = 0; row < 9; row++)
        {
            for (int j = 0; j < 4; j++)
            {
                bool owned = u.KeptRows.Contains(row) && j < 2;
                if (!owned)
                {
                    Assert.Equal(before.B[row * 4 + j], global.B[row * 4 + j]);
                }
            }
        }
        for (int j = 0; j < 4; j++)
        {
            for (int col = 0; col < 7; col++)
            {
                if (!(u.KeptColumns.Contains(col) && j < 2))
                {
                    Assert.Equal(before.A[j * 7 + col], global.A[j * 7 + col]);
                }
            }
        }
    }
}
