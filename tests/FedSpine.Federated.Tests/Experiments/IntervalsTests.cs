// Intervals with known answers: the t interval of three values, speed-up ratios summarised on the log scale, and the
// paired two-way bootstrap (a constant difference, a clear win, noise, and why pairing matters).
using FedSpine.Federated.Experiments;
using FedSpine.Tensors;

namespace FedSpine.Federated.Tests.Experiments;

public sealed class IntervalsTests
{
    [Fact]
    public void T_interval_of_three_values_uses_t_0975_with_two_degrees_of_freedom()
    {
        var e = Intervals.TInterval([1.0, 2, 3]);
        // mean 2, s = 1, t(0.975, 2) = 4.302653, half width = 4.302653 / sqrt(3) = 2.484138.
        Assert.Equal(2, e.Mean!.Value, 12);
        Assert.Equal(2 - 2.484138, e.Low!.Value, 5);
        Assert.Equal(2 + 2.484138, e.High!.Value, 5);
        Assert.Equal(3, e.Count);
        Assert.False(e.ExcludesZero);
    }

    [Fact]
    public void One_value_has_a_mean_but_no_interval_and_none_has_neither()
    {
        var one = Intervals.TInterval([5.0]);
        Assert.Equal(5, one.Mean);
        Assert.Null(one.Low);
        Assert.False(one.ExcludesZero);
        Assert.Null(Intervals.TInterval([]).Mean);
    }

    [Fact]
    public void Speed_up_is_the_geometric_mean_of_per_seed_ratios()
    {
        var same = Intervals.RatioInterval([2.0, 2.0, 2.0]);
        Assert.Equal(2, same.Mean!.Value, 12);
        Assert.Equal(2, same.Low!.Value, 12);
        Assert.True(same.ExcludesOne);
        var spread = Intervals.RatioInterval([1.0, 4.0]);
        Assert.Equal(2, spread.Mean!.Value, 12);
        // log ratios 0 and ln 4: s = ln4/sqrt2, t(0.975, 1) = 12.7062; interval exp(ln2 ± 12.7062 · ln4 / 2).
        Assert.Equal(Math.Exp(Math.Log(2) - 12.7062047 * Math.Log(4) / 2), spread.Low!.Value, 6);
        Assert.False(spread.ExcludesOne);
    }

    [Fact]
    public void Constant_paired_difference_has_a_zero_width_interval()
    {
        var diff = Enumerable.Range(0, 3).Select(_ => Enumerable.Repeat(0.02, 500).ToArray()).ToList();
        var e = Intervals.Bootstrap(diff, 500);
        Assert.Equal(0.02, e.Mean!.Value, 12);
        Assert.Equal(0.02, e.Low!.Value, 12);
        Assert.Equal(0.02, e.High!.Value, 12);
        Assert.True(e.ExcludesZero);
    }

    [Fact]
    public void Pairing_resolves_a_small_consistent_gain_that_unpaired_spread_would_hide()
    {
        // Examples differ a lot in difficulty (0 or 1 correct); the reference gets 3% of the examples right that the other
        // misses, and nothing the other way. Paired differences are 0 or 1: the interval excludes zero.
        var rng = new Rng(7);
        var other = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 2000).Select(_ => rng.NextDouble() < 0.6 ? 1.0 : 0.0).ToArray()).ToList();
        var reference = other.Select(row => row.Select((v, j) => v == 0 && j % 33 == 0 ? 1.0 : v).ToArray()).ToList();
        var diff = reference.Zip(other, (a, b) => a.Select((v, j) => v - b[j]).ToArray()).ToList();
        var paired = Intervals.Bootstrap(diff, 2000);
        Assert.True(paired.ExcludesZero, $"paired [{paired.Low}, {paired.High}]");
        Assert.True(paired.Mean > 0);
        // The same gain judged from the two arms' separate intervals overlaps: unpaired, it would read as no difference.
        var a = Intervals.Bootstrap(reference, 2000);
        var b = Intervals.Bootstrap(other, 2000);
        Assert.True(a.Low < b.High, "the separate intervals overlap");
    }

    [Fact]
    public void Pure_noise_difference_is_no_difference_and_the_bootstrap_is_seeded()
    {
        var rng = new Rng(11);
        var diff = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 1000).Select(_ => (double)(rng.NextInt(3) - 1)).ToArray()).ToList();
        var e = Intervals.Bootstrap(diff, 2000);
        Assert.False(e.ExcludesZero, $"[{e.Low}, {e.High}] around {e.Mean}");
        Assert.Equal(e, Intervals.Bootstrap(diff, 2000));
    }

    [Fact]
    public void Bootstrap_refuses_seeds_that_scored_different_example_counts() =>
        Assert.Throws<ArgumentException>(() => Intervals.Bootstrap([new double[3], new double[4]]));
}
