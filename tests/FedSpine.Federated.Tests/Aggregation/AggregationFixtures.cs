// Seeded random LoRA module updates for the aggregation tests: full, row-pruned, column-pruned or both-pruned devices
// of chosen ranks, a randomly filled previous global module, and closeness asserts relative to the largest value.
using FedSpine.Federated.Aggregation;

namespace FedSpine.Federated.Tests.Aggregation;

public enum Pruning { None, Rows, Columns, Both }

internal static class AggregationFixtures
{
    public static GlobalModule RandomGlobal(Random rng, int outDim, int inDim, int rank)
    {
        var global = new GlobalModule(outDim, inDim, rank);
        Fill(rng, global.A);
        Fill(rng, global.B);
        return global;
    }

    public static DeviceModuleUpdate RandomUpdate(Random rng, int outDim, int inDim, int rank, Pruning pruning, double? weight = null)
    {
        int[] rows = pruning is Pruning.Rows or Pruning.Both ? Subset(rng, outDim) : Enumerable.Range(0, outDim).ToArray();
        int[] columns = pruning is Pruning.Columns or Pruning.Both ? Subset(rng, inDim) : Enumerable.Range(0, inDim).ToArray();
        return RandomUpdate(rng, rows, columns, rank, weight ?? rng.Next(1, 100));
    }

    public static DeviceModuleUpdate RandomUpdate(Random rng, int[] rows, int[] columns, int rank, double weight)
    {
        var a = new float[rank * columns.Length];   // [rank, kept columns]
        var b = new float[rows.Length * rank];      // [kept rows, rank]
        Fill(rng, a);
        Fill(rng, b);
        float scale = (float)(0.5 + 1.5 * rng.NextDouble());
        return new DeviceModuleUpdate(a, b, rank, scale, rows, columns, weight);
    }

    /// <summary>Random sizes out 6..12, in 5..9, global rank 1..4, 1..4 devices of rank 1..maxRank with the given pruning mix.</summary>
    public static (GlobalModule Global, List<DeviceModuleUpdate> Updates) RandomCase(int seed, Pruning[] mix, bool ranksAboveGlobal = false)
    {
        var rng = new Random(seed);
        int outDim = rng.Next(6, 13);
        int inDim = rng.Next(5, 10);
        int rank = rng.Next(1, 5);
        var global = RandomGlobal(rng, outDim, inDim, rank);
        int devices = rng.Next(1, 5);
        var updates = new List<DeviceModuleUpdate>();
        for (int i = 0; i < devices; i++)
        {
            int deviceRank = rng.Next(1, (ranksAboveGlobal ? rank + 2 : rank) + 1);
            updates.Add(RandomUpdate(rng, outDim, inDim, deviceRank, mix[i % mix.Length]));
        }
        return (global, updates);
    }

    public static int[] Subset(Random rng, int size)
    {
        int count = rng.Next(1, size);
        return Enumerable.Range(0, size).OrderBy(_ => rng.Next()).Take(count).Order().ToArray();
    }

    public static void Fill(Random rng, float[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(2 * rng.NextDouble() - 1);
        }
    }

    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, double relative = 1e-5, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 1e-30;
        foreach (double e in expected)
        {
            scale = Math.Max(scale, Math.Abs(e));
        }
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]);
            Assert.True(error <= relative * scale, $"{what}[{i}]: expected {expected[i]}, got {actual[i]} (|error| {error}, scale {scale})");
        }
    }

    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double relative = 1e-5, string what = "")
    {
        var asFloat = new float[actual.Length];
        for (int i = 0; i < actual.Length; i++)
        {
            asFloat[i] = (float)actual[i];
        }
        AssertClose(expected, asFloat, relative, what);
    }

    public static double[] ToDouble(float[] values) => values.Select(v => (double)v).ToArray();
}
