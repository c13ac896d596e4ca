// Measures Gemm.Multiply throughput for the CLI: warm-up, then the best of several timed repetitions, each repeating
// the call until it lasts at least a couple of milliseconds. Returns GFLOP/s counted as 2·m·n·k per call.
using System.Diagnostics;

namespace FedSpine.Tensors;

public static class GemmBenchmark
{
    private const double MinRepetitionSeconds = 0.002;
    private const double MinWarmupSeconds = 0.3;

    /// <summary>Best-of-<paramref name="repetitions"/> GFLOP/s of C[m,n] = op(A)·op(B) on random data.</summary>
    public static double MeasureGflops(int m, int n, int k, bool transA, bool transB, int repetitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        var random = new Random(12345);
        float[] a = RandomMatrix(random, (long)m * k);
        float[] b = RandomMatrix(random, (long)k * n);
        float[] c = new float[(long)m * n];
        int lda = transA ? m : k;
        int ldb = transB ? k : n;

        // Warm-up (JIT tiers, scratch buffers, worker threads), also sizing the calls per repetition.
        int calls = 1;
        long warmupStart = Stopwatch.GetTimestamp();
        while (true)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++)
            {
                Gemm.Multiply(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
            }
            if (Stopwatch.GetElapsedTime(start).TotalSeconds < MinRepetitionSeconds)
            {
                calls *= 2;
            }
            else if (Stopwatch.GetElapsedTime(warmupStart).TotalSeconds >= MinWarmupSeconds)
            {
                break;
            }
        }

        double best = double.MaxValue;
        for (int r = 0; r < repetitions; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++)
            {
                Gemm.Multiply(transA, transB, m, n, k, 1f, a, lda, b, ldb, 0f, c, n);
            }
            best = Math.Min(best, Stopwatch.GetElapsedTime(start).TotalSeconds / calls);
        }
        return 2.0 * m * n * k / best / 1e9;
    }

    private static float[] RandomMatrix(Random random, long count)
    {
        var data = new float[count];
        for (long i = 0; i < count; i++)
        {
            data[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return data;
    }
}
