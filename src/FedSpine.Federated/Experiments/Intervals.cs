// 95% intervals for comparing methods over seeds: Student t over per-seed values (means, log speed-up ratios) and a paired
// two-way bootstrap over seeds and test examples for accuracy differences (same seeds, same examples for both methods).
using System.Text.Json.Serialization;
using MathNet.Numerics.Distributions;
using FedSpine.Tensors;

namespace FedSpine.Federated.Experiments;

/// <summary>A point estimate with its 95% interval over Count values; null where it cannot be formed (no values, or
/// fewer than 2 for the interval).</summary>
public sealed record Estimate(
    [property: JsonPropertyName("mean")] double? Mean,
    [property: JsonPropertyName("low")] double? Low,
    [property: JsonPropertyName("high")] double? High,
    [property: JsonPropertyName("n")] int Count)
{
    public static Estimate Of(double mean, double low, double high, int count) =>
        new(Finite(mean), Finite(low), Finite(high), count);

    /// <summary>True when the interval lies wholly above or wholly below zero (a difference the data resolve).</summary>
    [JsonIgnore] public bool ExcludesZero => Low > 0 || High < 0;

    /// <summary>True when the interval lies wholly above or wholly below one (a ratio the data resolve).</summary>
    [JsonIgnore] public bool ExcludesOne => Low > 1 || High < 1;

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;
}

public static class Intervals
{
    public const double Level = 0.95;

    /// <summary>Mean ± t(0.975, n−1)·s/√n over independent values (one per seed).</summary>
    public static Estimate TInterval(IReadOnlyList<double> values)
    {
        int n = values.Count;
        if (n == 0)
        {
            return Estimate.Of(double.NaN, double.NaN, double.NaN, 0);
        }
        double mean = values.Average();
        if (n < 2)
        {
            return Estimate.Of(mean, double.NaN, double.NaN, n);
        }
        double variance = values.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        double half = StudentT.InvCDF(0, 1, n - 1, 0.5 + Level / 2) * Math.Sqrt(variance / n);
        return Estimate.Of(mean, mean - half, mean + half, n);
    }

    /// <summary>Geometric mean of ratios with the t interval of their logarithms, mapped back (for speed-ups).</summary>
    public static Estimate RatioInterval(IReadOnlyList<double> ratios)
    {
        var logs = TInterval(ratios.Select(r => Math.Log(r)).ToArray());
        static double Exp(double? v) => v is double x ? Math.Exp(x) : double.NaN;
        return Estimate.Of(Exp(logs.Mean), Exp(logs.Low), Exp(logs.High), logs.Count);
    }

    /// <summary>Mean of x[s][j] over seeds s and examples j with a percentile interval from a two-way bootstrap: each
    /// replicate draws seeds with replacement and, independently, examples with replacement (the same examples for
    /// every seed: the test set is shared). For a paired difference pass x[s][j] = a[s][j] − b[s][j].</summary>
    public static Estimate Bootstrap(IReadOnlyList<double[]> x, int replicates = 2000, ulong seed = 0xB007)
    {
        int seeds = x.Count;
        if (seeds == 0 || x[0].Length == 0)
        {
            return Estimate.Of(double.NaN, double.NaN, double.NaN, 0);
        }
        int examples = x[0].Length;
        if (x.Any(row => row.Length != examples))
        {
            throw new ArgumentException("every seed must score the same examples");
        }
        double mean = x.Average(row => row.Average());
        if (replicates < 1)
        {
            return Estimate.Of(mean, double.NaN, double.NaN, seeds);
        }
        var rng = new Rng(seed);
        var means = new double[replicates];
        var pickedSeeds = new int[seeds];
        var exampleCounts = new int[examples];
        for (int b = 0; b < replicates; b++)
        {
            for (int s = 0; s < seeds; s++)
            {
                pickedSeeds[s] = rng.NextInt(seeds);
            }
            Array.Clear(exampleCounts);
            for (int j = 0; j < examples; j++)
            {
                exampleCounts[rng.NextInt(examples)]++;
            }
            double sum = 0;
            foreach (int s in pickedSeeds)
            {
                var row = x[s];
                for (int j = 0; j < examples; j++)
                {
                    sum += exampleCounts[j] * row[j];
                }
            }
            means[b] = sum / ((double)seeds * examples);
        }
        Array.Sort(means);
        return Estimate.Of(mean, Percentile(means, (1 - Level) / 2), Percentile(means, 1 - (1 - Level) / 2), seeds);
    }

    /// <summary>Linear-interpolated percentile of sorted values (q in [0, 1]).</summary>
    public static double Percentile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int low = (int)Math.Floor(position);
        int high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (position - low) * (sorted[high] - sorted[low]);
    }
}
