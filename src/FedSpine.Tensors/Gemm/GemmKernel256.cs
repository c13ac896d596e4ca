// AVX2 micro-kernel (machines without AVX-512): C[6,16] = alpha·(A sliver · B sliver) + beta·C, 12 ymm accumulators.
// a: [kc, 6] (6 rows of A per reduction step); b: [kc, 16]; c: row stride ldc; beta 0 never reads C.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FedSpine.Tensors;

internal static unsafe class GemmKernel256
{
    public const int MR = 6;
    public const int NR = 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> r0a = default, r0b = default;
        Vector256<float> r1a = default, r1b = default;
        Vector256<float> r2a = default, r2b = default;
        Vector256<float> r3a = default, r3b = default;
        Vector256<float> r4a = default, r4b = default;
        Vector256<float> r5a = default, r5b = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> x;
            x = Vector256.Create(a[0]);
            r0a = Vector256.FusedMultiplyAdd(x, b0, r0a);
            r0b = Vector256.FusedMultiplyAdd(x, b1, r0b);
            x = Vector256.Create(a[1]);
            r1a = Vector256.FusedMultiplyAdd(x, b0, r1a);
            r1b = Vector256.FusedMultiplyAdd(x, b1, r1b);
            x = Vector256.Create(a[2]);
            r2a = Vector256.FusedMultiplyAdd(x, b0, r2a);
            r2b = Vector256.FusedMultiplyAdd(x, b1, r2b);
            x = Vector256.Create(a[3]);
            r3a = Vector256.FusedMultiplyAdd(x, b0, r3a);
            r3b = Vector256.FusedMultiplyAdd(x, b1, r3b);
            x = Vector256.Create(a[4]);
            r4a = Vector256.FusedMultiplyAdd(x, b0, r4a);
            r4b = Vector256.FusedMultiplyAdd(x, b1, r4b);
            x = Vector256.Create(a[5]);
            r5a = Vector256.FusedMultiplyAdd(x, b0, r5a);
            r5b = Vector256.FusedMultiplyAdd(x, b1, r5b);
            a += MR;
            b += NR;
        }
        Vector256<float> alphaV = Vector256.Create(alpha);
        Vector256<float> betaV = Vector256.Create(beta);
        bool overwrite = beta == 0;
        StoreRow(c + 0 * ldc, r0a, r0b, alphaV, betaV, overwrite);
        StoreRow(c + 1 * ldc, r1a, r1b, alphaV, betaV, overwrite);
        StoreRow(c + 2 * ldc, r2a, r2b, alphaV, betaV, overwrite);
        StoreRow(c + 3 * ldc, r3a, r3b, alphaV, betaV, overwrite);
        StoreRow(c + 4 * ldc, r4a, r4b, alphaV, betaV, overwrite);
        StoreRow(c + 5 * ldc, r5a, r5b, alphaV, betaV, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector256<float> x0, Vector256<float> x1, Vector256<float> alphaV,
        Vector256<float> betaV, bool overwrite)
    {
        if (overwrite)
        {
            (x0 * alphaV).Store(c);
            (x1 * alphaV).Store(c + 8);
        }
        else
        {
            Vector256.FusedMultiplyAdd(x0, alphaV, Vector256.Load(c) * betaV).Store(c);
            Vector256.FusedMultiplyAdd(x1, alphaV, Vector256.Load(c + 8) * betaV).Store(c + 8);
        }
    }
}
