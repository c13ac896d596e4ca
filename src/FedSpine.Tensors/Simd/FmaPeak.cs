// The measured fp32 FMA peak of one instruction-set path: every worker thread runs 12 independent register-only chains
// of fused multiply-adds (no memory traffic), best of many short rounds; GFLOP/s counts 2 flops per lane per FMA.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FedSpine.Tensors;

public static class FmaPeak
{
    /// <summary>Independent chains per thread: enough to cover FMA latency × issue width (4 × 2 on current x64 cores),
    /// few enough for 16 registers (12 accumulators + multiplier + addend).</summary>
    private const int Chains = 12;

    /// <summary>Short rounds, best of many, as GemmBenchmark's: on a shared machine some rounds find every core free.</summary>
    private const double MinRoundSeconds = 0.005;

    /// <summary>Best-of-<paramref name="rounds"/> GFLOP/s of <paramref name="isa"/>'s fused multiply-add on all
    /// WorkerPool threads.</summary>
    public static double MeasureGflops(Isa isa, int rounds = 40)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        IsaPath.RequireSupported(isa);
        int threads = WorkerPool.ThreadCount;
        long iterations = 1 << 12;
        while (Time(isa, threads, iterations) < MinRoundSeconds) // also the warm-up: JIT tiers, worker threads
        {
            iterations *= 2;
        }
        double best = double.MaxValue;
        for (int r = 0; r < rounds; r++)
        {
            best = Math.Min(best, Time(isa, threads, iterations));
        }
        return 2.0 * Chains * Lanes(isa) * iterations * threads / best / 1e9;
    }

    private static int Lanes(Isa isa) => isa switch
    {
        Isa.Avx512 => Vector512<float>.Count,
        Isa.Avx2 => Vector256<float>.Count,
        Isa.Vector128 => Vector128<float>.Count,
        _ => 1,
    };

    private static double Time(Isa isa, int threads, long iterations)
    {
        long start = Stopwatch.GetTimestamp();
        WorkerPool.For(threads, _ =>
        {
            float sink = isa switch
            {
                Isa.Avx512 => RunChains<Lanes512, Vector512<float>>(iterations),
                Isa.Avx2 => RunChains<Lanes256, Vector256<float>>(iterations),
                Isa.Vector128 => RunChains<Lanes128, Vector128<float>>(iterations),
                _ => RunChains<LanesScalar, float>(iterations),
            };
            if (sink == float.MinValue) // never true: keeps the chains' results alive
            {
                throw new InvalidOperationException("unreachable");
            }
        });
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>12 chains acc = acc·x + y, iterations steps each; they settle near y / (1 − x) (no denormals).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static float RunChains<TL, TV>(long iterations)
        where TL : ILanes<TV>
        where TV : struct
    {
        TV x = TL.Broadcast(0.999f), y = TL.Broadcast(1e-4f);
        TV a0 = TL.Broadcast(0.01f), a1 = TL.Broadcast(0.02f), a2 = TL.Broadcast(0.03f), a3 = TL.Broadcast(0.04f);
        TV a4 = TL.Broadcast(0.05f), a5 = TL.Broadcast(0.06f), a6 = TL.Broadcast(0.07f), a7 = TL.Broadcast(0.08f);
        TV a8 = TL.Broadcast(0.09f), a9 = TL.Broadcast(0.10f), a10 = TL.Broadcast(0.11f), a11 = TL.Broadcast(0.12f);
        for (long i = 0; i < iterations; i++)
        {
            a0 = TL.Fma(a0, x, y);
            a1 = TL.Fma(a1, x, y);
            a2 = TL.Fma(a2, x, y);
            a3 = TL.Fma(a3, x, y);
            a4 = TL.Fma(a4, x, y);
            a5 = TL.Fma(a5, x, y);
            a6 = TL.Fma(a6, x, y);
            a7 = TL.Fma(a7, x, y);
            a8 = TL.Fma(a8, x, y);
            a9 = TL.Fma(a9, x, y);
            a10 = TL.Fma(a10, x, y);
            a11 = TL.Fma(a11, x, y);
        }
        TV sum = TL.Fma(a0, x, TL.Fma(a1, x, TL.Fma(a2, x, TL.Fma(a3, x, TL.Fma(a4, x, TL.Fma(a5, x, a6))))));
        sum = TL.Fma(a7, x, TL.Fma(a8, x, TL.Fma(a9, x, TL.Fma(a10, x, TL.Fma(a11, x, sum)))));
        return TL.Sum(sum);
    }
}
