// "median", "trimmed-mean" and "clipped-scatter" against their formulas written per coordinate (owners looked up one by
// one, mixed ranks and pruned rows/columns), and what they are for: one hostile device among honest ones cannot move the
// result outside the honest range (median, trimmed mean) or by more than its clipped share (clipped-scatter).
using FedSpine.Federated.Aggregation;
using static FedSpine.Federated.Tests.Aggregation.AggregationFixtures;

namespace FedSpine.Federated.Tests.Aggregation;

public class RobustAggregatorsTests
{
    /// <summary>Per coordinate: the owners' values (Scale·B̃ or A; devices with positive weight), combined; else previous.</summary>
    private static (double[] B, double[] A) PerCoordinate(GlobalModule previous, IReadOnlyList<DeviceModuleUpdate> updates,
        Func<List<double>, double> combine)
    {
        int rank = previous.Rank;
        var b = new double[previous.Out * rank];
        var a = new double[rank * previous.In];
        for (int row = 0; row < previous.Out; row++)
        {
            for (int j = 0; j < rank; j++)
            {
                var owners = new List<double>();
                foreach (var u in updates)
                {
                    int p = Array.IndexOf(u.KeptRows, row);
                    if (p >= 0 && j < u.Rank && u.Weight > 0)
                    {
                        owners.Add((double)u.Scale * u.B[p * u.Rank + j]);
                    }
                }
                b[row * rank + j] = owners.Count > 0 ? combine(owners) : previous.B[row * rank + j];
            }
        }
        for (int j = 0; j < rank; j++)
        {
            for (int col = 0; col < previous.In; col++)
            {
                var owners = new List<double>();
                foreach (var u in updates)
                {
                    int q = Array.IndexOf(u.KeptColumns, col);
                    if (q >= 0 && j < u.Rank && u.Weight > 0)
                    {
                        owners.Add(u.A[j * u.KeptColumns.Length + q]);
                    }
                }
                a[j * previous.In + col] = owners.Count > 0 ? combine(owners) : previous.A[j * previous.In + col];
            }
        }
        return (b, a);
    }

    private static double NaiveMedian(List<double> values)
    {
        var s = values.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
    }

    private static double NaiveTrimmed(List<double> values, double beta)
    {
        var s = values.Order().ToList();
        int cut = Math.Min((int)Math.Floor(beta * s.Count), (s.Count - 1) / 2);
        return s.Skip(cut).Take(s.Count - 2 * cut).Average();
    }

    /// <summary>Five devices of ranks 1..global with every pruning kind, so coordinates have 0..5 owners.</summary>
    private static (GlobalModule Global, List<DeviceModuleUpdate> Updates) FiveDevices(int seed)
    {
        var rng = new Random(seed);
        var global = RandomGlobal(rng, 9, 7, 3);
        var kinds = new[] { Pruning.Rows, Pruning.Columns, Pruning.None, Pruning.Both, Pruning.Rows };
        var updates = kinds.Select(k => RandomUpdate(rng, 9, 7, rng.Next(1, 4), k)).ToList();
        return (global, updates);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public void Median_matches_the_per_coordinate_median_of_the_owners(int seed)
    {
        var (global, updates) = FiveDevices(seed);
        var (b, a) = PerCoordinate(global, updates, NaiveMedian);
        new CoordinateMedianAggregator().Aggregate(global, updates);
        AssertClose(b, global.B, 1e-6, "B");
        AssertClose(a, global.A, 1e-6, "A");
    }

    [Theory]
    [InlineData(31, 0.2)]
    [InlineData(32, 0.25)]
    [InlineData(33, 0.0)]
    public void Trimmed_mean_matches_the_per_coordinate_trimmed_mean_of_the_owners(int seed, double beta)
    {
        var (global, updates) = FiveDevices(seed);
        var (b, a) = PerCoordinate(global, updates, v => NaiveTrimmed(v, beta));
        Aggregators.Create(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"trimmed-mean:{beta}")).Aggregate(global, updates);
        AssertClose(b, global.B, 1e-6, "B");
        AssertClose(a, global.A, 1e-6, "A");
    }

    [Fact]
    public void Trimmed_mean_with_beta_0_is_the_unweighted_owner_average()
    {
        var (global, updates) = FiveDevices(34);
        var equal = updates.Select(u => u with { Weight = 1 }).ToList();
        var (b, a) = NaiveAggregation.OwnedAverage(global, equal, NaiveAggregation.SampleWeights(equal));
        new TrimmedMeanAggregator(0).Aggregate(global, updates);
        AssertClose(b, global.B, 1e-6, "B");
        AssertClose(a, global.A, 1e-6, "A");
    }

    private static double Norm(IEnumerable<double> values) => Math.Sqrt(values.Sum(v => v * v));

    [Theory]
    [InlineData(41)]
    [InlineData(42)]
    public void Clipped_scatter_is_scatter_of_the_factors_scaled_to_their_median_norm_bounds(int seed)
    {
        var (global, updates) = FiveDevices(seed);
        updates[1] = updates[1] with { Scale = updates[1].Scale * 50 };                 // B far above the others
        updates[2] = updates[2] with { A = updates[2].A.Select(v => v * 40).ToArray() }; // A far above the others
        var bNorms = updates.Select(u => Math.Abs(u.Scale) * Norm(u.B.Select(v => (double)v))).ToList();
        var aNorms = updates.Select(u => Norm(u.A.Select(v => (double)v))).ToList();
        double bBound = 2 * NaiveMedian(bNorms), aBound = 2 * NaiveMedian(aNorms);
        Assert.True(bNorms[1] > bBound && aNorms[2] > aBound, "the scaled factors must be above their bounds for this test to mean anything");
        var clipped = updates.Select((u, i) => u with
        {
            Scale = (float)(u.Scale * Math.Min(1, bBound / bNorms[i])),
            A = u.A.Select(v => (float)(v * Math.Min(1, aBound / aNorms[i]))).ToArray(),
        }).ToList();
        var (b, a) = NaiveAggregation.OwnedAverage(global, clipped, NaiveAggregation.SampleWeights(updates));
        new ClippedScatterAggregator().Aggregate(global, updates);
        AssertClose(b, global.B, 1e-5, "B");
        AssertClose(a, global.A, 1e-5, "A");
    }

    [Fact]
    public void Clipped_scatter_bounds_what_a_hostile_device_moves()
    {
        var rng = new Random(52);
        var global = RandomGlobal(rng, 6, 5, 2);
        var honest = Enumerable.Range(0, 4).Select(_ => RandomUpdate(rng, 6, 5, 2, Pruning.None, weight: 10)).ToList();
        var hostile = honest[0] with { Scale = honest[0].Scale * 1e6f, A = honest[0].A.Select(v => v * 1e6f).ToArray() };
        var plain = global.Clone();
        var withHostile = global.Clone();
        new ClippedScatterAggregator().Aggregate(global, honest);
        new ClippedScatterAggregator().Aggregate(withHostile, [.. honest, hostile]);
        new MaskAwareAverage().Aggregate(plain, [.. honest, hostile]);
        var clean = NaiveAggregation.Product(global);
        double Moved(GlobalModule g) => NaiveAggregation.Frobenius(NaiveAggregation.Product(g).Zip(clean, (x, y) => x - y).ToArray());
        double maxHonest = honest.Max(u => NaiveAggregation.Frobenius(NaiveAggregation.Delta(u, 6, 5)));
        Assert.True(Moved(plain) > 1e6 * maxHonest, $"unclipped, the hostile device moves ΔW by {Moved(plain)}");
        Assert.True(Moved(withHostile) < 2 * maxHonest, $"clipped, the hostile device moved ΔW by {Moved(withHostile)}, largest honest update {maxHonest}");
    }

    [Theory]
    [InlineData("median")]
    [InlineData("trimmed-mean")]
    public void One_hostile_device_among_five_owners_stays_inside_the_honest_range(string name)
    {
        var rng = new Random(51);
        var global = RandomGlobal(rng, 6, 5, 2);
        var honest = Enumerable.Range(0, 4).Select(_ => RandomUpdate(rng, 6, 5, 2, Pruning.None, weight: 10)).ToList();
        var hostile = RandomUpdate(rng, 6, 5, 2, Pruning.None, weight: int.MaxValue) is var h
            ? h with { A = h.A.Select(_ => 3e38f).ToArray(), B = h.B.Select(_ => -3e38f).ToArray() } : null!;
        Aggregators.Create(name).Aggregate(global, [.. honest, hostile]);
        for (int k = 0; k < global.A.Length; k++)
        {
            Assert.InRange(global.A[k], honest.Min(u => u.A[k]), honest.Max(u => u.A[k]));
        }
        for (int k = 0; k < global.B.Length; k++)
        {
            Assert.InRange(global.B[k], honest.Min(u => u.Scale * u.B[k]), honest.Max(u => u.Scale * u.B[k]));
        }
    }

    [Fact]
    public void Clipped_scatter_bounds_a_hostile_device_by_its_clipped_share()
    {
        var rng = new Random(52);
        var global = RandomGlobal(rng, 6, 5, 2);
        var honest = Enumerable.Range(0, 4).Select(_ => RandomUpdate(rng, 6, 5, 2, Pruning.None, weight: 10)).ToList();
        var hostile = honest[0] with { Scale = honest[0].Scale * 1e6f };
        var withHostile = global.Clone();
        new ClippedScatterAggregator().Aggregate(global, honest);
        new ClippedScatterAggregator().Aggregate(withHostile, [.. honest, hostile]);
        double maxHonest = honest.Max(u => NaiveAggregation.Frobenius(NaiveAggregation.Delta(u, 6, 5)));
        double moved = NaiveAggregation.Frobenius(NaiveAggregation.Product(withHostile)
            .Zip(NaiveAggregation.Product(global), (x, y) => x - y).ToArray());
        Assert.True(moved < 2 * maxHonest, $"the hostile device moved ΔW by {moved}, more than twice the largest honest update {maxHonest}");
        Assert.All(withHostile.B, v => Assert.True(float.IsFinite(v)));
    }

    [Theory]
    [InlineData("median")]
    [InlineData("trimmed-mean")]
    public void Head_is_combined_inside_the_honest_range_whatever_the_hostile_weight(string name)
    {
        var honest = new[] { new float[] { 1, 2 }, new float[] { 1.5f, 2.5f }, new float[] { 2, 3 }, new float[] { 1.2f, 2.2f } };
        float[] hostile = [3e38f, -3e38f];
        var target = new float[] { 1.4f, 2.4f };
        Aggregators.Create(name).AggregateHead(target, [.. honest, hostile], [10, 10, 10, 10, int.MaxValue]);
        Assert.InRange(target[0], 1f, 2f);
        Assert.InRange(target[1], 2f, 3f);
    }

    [Fact]
    public void Clipped_scatter_head_moves_at_most_the_weighted_clipped_changes()
    {
        var honest = new[] { new float[] { 1, 2 }, new float[] { 1.5f, 2.5f }, new float[] { 2, 3 }, new float[] { 1.2f, 2.2f } };
        float[] hostile = [3e38f, -3e38f];
        var target = new float[] { 1.4f, 2.4f };
        var expected = (float[])target.Clone();
        var norms = honest.Select(h => Math.Sqrt(h.Select((v, k) => (double)(v - target[k]) * (v - target[k])).Sum())).Order().ToList();
        double bound = 2 * norms[2];   // τ = 2 × the median of the five change norms (the hostile's is the largest)
        Aggregators.Create("clipped-scatter").AggregateHead(target, [.. honest, hostile], [1, 1, 1, 1, 1]);
        double moved = Math.Sqrt(target.Select((v, k) => (double)(v - expected[k]) * (v - expected[k])).Sum());
        Assert.True(moved <= (4 * norms.Max() + bound) / 5 + 1e-6, $"the head moved by {moved}");
        Assert.True(moved > 0);
    }

    [Fact]
    public void Default_head_rule_is_the_sample_weighted_average()
    {
        var target = new float[2];
        Aggregators.Create("scatter").AggregateHead(target, [[1f, 2f], [3f, 6f]], [1, 3]);
        Assert.Equal([2.5f, 5f], target);
    }

    [Theory]
    [InlineData("trimmed-mean:0.5", "[0, 0.5)")]
    [InlineData("clipped-scatter:0.5", "at least 1")]
    [InlineData("median:3", "only trimmed-mean")]
    [InlineData("trimmed-mean:x", "only trimmed-mean")]
    public void Bad_parameters_are_named(string name, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => Aggregators.Create(name));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
