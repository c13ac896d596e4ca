// "fedavg" (FedIT) against its formula (zero-padded weighted average over all devices), exact FedAvg when every device is
// full-shape and full-rank, and one device giving its own factors padded with zeros.
using FedSpine.Federated.Aggregation;
using static FedSpine.Federated.Tests.Aggregation.AggregationFixtures;

namespace FedSpine.Federated.Tests.Aggregation;

public class FedAvgAggregatorTests
{
    [Theory]
    [InlineData(41)]
    [InlineData(42)]
    [InlineData(43)]
    [InlineData(44)]
    public void Matches_naive_zero_padded_average(int seed)
    {
        var (global, updates) = RandomCase(seed, [Pruning.Both, Pruning.None, Pruning.Rows, Pruning.Columns]);
        var (b, a) = NaiveAggregation.ZeroPaddedAverage(global, updates);
        new FedAvgAggregator().Aggregate(global, updates);
        AssertClose(b, global.B, what: "B");
        AssertClose(a, global.A, what: "A");
    }

    [Fact]
    public void Full_shape_same_rank_devices_give_plain_fedavg()
    {
        var rng = new Random(45);
        var global = RandomGlobal(rng, 7, 6, 2);
        var updates = Enumerable.Range(0, 3).Select(i => RandomUpdate(rng, 7, 6, 2, Pruning.None, weight: i + 1)).ToList();
        new FedAvgAggregator().Aggregate(global, updates);
        for (int k = 0; k < global.A.Length; k++)
        {
            double expected = (1 * updates[0].A[k] + 2 * updates[1].A[k] + 3 * updates[2].A[k]) / 6.0;
            Assert.Equal(expected, global.A[k], 1e-6);
        }
        for (int k = 0; k < global.B.Length; k++)
        {
            double expected = updates.Select((u, i) => (i + 1) * u.Scale * u.B[k]).Sum() / 6.0;
            Assert.Equal(expected, global.B[k], 1e-6);
        }
    }

    [Fact]
    public void One_device_gives_its_factors_zero_padded()
    {
        var rng = new Random(46);
        var global = RandomGlobal(rng, 6, 5, 3);
        var u = RandomUpdate(rng, [0, 2, 3, 5], [1, 2, 4], 2, weight: 7);
        new FedAvgAggregator().Aggregate(global, [u]);
        for (int row = 0; row < 6; row++)
        {
            for (int j = 0; j < 3; j++)
            {
                int p = Array.IndexOf(u.KeptRows, row);
                double expected = p >= 0 && j < 2 ? u.Scale * u.B[p * 2 + j] : 0;
                Assert.Equal(expected, global.B[row * 3 + j], 1e-6);
            }
        }
        for (int j = 0; j < 3; j++)
        {
            for (int col = 0; col < 5; col++)
            {
                int q = Array.IndexOf(u.KeptColumns, col);
                double expected = q >= 0 && j < 2 ? u.A[j * 3 + q] : 0;
                Assert.Equal(expected, global.A[j * 5 + col], 1e-6);
            }
        }
    }
}
