// 6×(2 vectors) micro-kernel for 16-register machines: C[6, 2W] = alpha·(A sliver · B sliver) + beta·C, 12 accumulators,
// 2 B vectors, 1 broadcast. Lanes256 (AVX2: 6×16) or Lanes128 (SSE/NEON: 6×8). a: [kc, 6]; b: [kc, 2W]; beta 0 never reads C.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace FedSpine.Tensors;

internal static unsafe class GemmKernel6x2
{
    public const int MR = 6;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TL, TV>(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
        where TL : ILanes<TV>
        where TV : struct
    {
        int w = TL.Width;
        if (Sse.IsSupported)
        {
            // C rows are read (or written) once at the end: fetch them while the reduction runs, as the AVX-512 kernel.
            for (int r = 0; r < MR; r++)
            {
                Sse.Prefetch0(c + r * ldc);
                Sse.Prefetch0(c + r * ldc + 2 * w - 1);
            }
        }
        TV r0a = TL.Zero, r0b = TL.Zero;
        TV r1a = TL.Zero, r1b = TL.Zero;
        TV r2a = TL.Zero, r2b = TL.Zero;
        TV r3a = TL.Zero, r3b = TL.Zero;
        TV r4a = TL.Zero, r4b = TL.Zero;
        TV r5a = TL.Zero, r5b = TL.Zero;
        int nr = 2 * w;
        for (int p = 0; p < kc; p++)
        {
            TV b0 = TL.Load(b);
            TV b1 = TL.Load(b + w);
            TV x;
            x = TL.Broadcast(a[0]);
            r0a = TL.Fma(x, b0, r0a);
            r0b = TL.Fma(x, b1, r0b);
            x = TL.Broadcast(a[1]);
            r1a = TL.Fma(x, b0, r1a);
            r1b = TL.Fma(x, b1, r1b);
            x = TL.Broadcast(a[2]);
            r2a = TL.Fma(x, b0, r2a);
            r2b = TL.Fma(x, b1, r2b);
            x = TL.Broadcast(a[3]);
            r3a = TL.Fma(x, b0, r3a);
            r3b = TL.Fma(x, b1, r3b);
            x = TL.Broadcast(a[4]);
            r4a = TL.Fma(x, b0, r4a);
            r4b = TL.Fma(x, b1, r4b);
            x = TL.Broadcast(a[5]);
            r5a = TL.Fma(x, b0, r5a);
            r5b = TL.Fma(x, b1, r5b);
            a += MR;
            b += nr;
        }
        TV alphaV = TL.Broadcast(alpha);
        TV betaV = TL.Broadcast(beta);
        bool overwrite = beta == 0;
        StoreRow<TL, TV>(c + 0 * ldc, r0a, r0b, alphaV, betaV, overwrite);
        StoreRow<TL, TV>(c + 1 * ldc, r1a, r1b, alphaV, betaV, overwrite);
        StoreRow<TL, TV>(c + 2 * ldc, r2a, r2b, alphaV, betaV, overwrite);
        StoreRow<TL, TV>(c + 3 * ldc, r3a, r3b, alphaV, betaV, overwrite);
        StoreRow<TL, TV>(c + 4 * ldc, r4a, r4b, alphaV, betaV, overwrite);
        StoreRow<TL, TV>(c + 5 * ldc, r5a, r5b, alphaV, betaV, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TL, TV>(float* c, TV x0, TV x1, TV alphaV, TV betaV, bool overwrite)
        where TL : ILanes<TV>
        where TV : struct
    {
        float* c1 = c + TL.Width;
        if (overwrite)
        {
            TL.Store(c, TL.Mul(x0, alphaV));
            TL.Store(c1, TL.Mul(x1, alphaV));
        }
        else
        {
            TL.Store(c, TL.Fma(x0, alphaV, TL.Mul(TL.Load(c), betaV)));
            TL.Store(c1, TL.Fma(x1, alphaV, TL.Mul(TL.Load(c1), betaV)));
        }
    }
}
