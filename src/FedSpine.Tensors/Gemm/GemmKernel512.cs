// AVX-512 micro-kernel: C[14,32] = alpha·(A sliver · B sliver) + beta·C, from packed panels, 28 zmm accumulators.
// a: [kc, 14] (14 rows of A per reduction step); b: [kc, 32]; c: row stride ldc; beta 0 never reads C.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FedSpine.Tensors;

internal static unsafe class GemmKernel512
{
    public const int MR = 14;
    public const int NR = 32;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        for (int r = 0; r < MR; r++)
        {
            Sse.Prefetch0(c + r * ldc);
            Sse.Prefetch0(c + r * ldc + 16);
        }
        Vector512<float> r0a = default, r0b = default;
        Vector512<float> r1a = default, r1b = default;
        Vector512<float> r2a = default, r2b = default;
        Vector512<float> r3a = default, r3b = default;
        Vector512<float> r4a = default, r4b = default;
        Vector512<float> r5a = default, r5b = default;
        Vector512<float> r6a = default, r6b = default;
        Vector512<float> r7a = default, r7b = default;
        Vector512<float> r8a = default, r8b = default;
        Vector512<float> r9a = default, r9b = default;
        Vector512<float> r10a = default, r10b = default;
        Vector512<float> r11a = default, r11b = default;
        Vector512<float> r12a = default, r12b = default;
        Vector512<float> r13a = default, r13b = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> x;
            x = Vector512.Create(a[0]);
            r0a = Vector512.FusedMultiplyAdd(x, b0, r0a);
            r0b = Vector512.FusedMultiplyAdd(x, b1, r0b);
            x = Vector512.Create(a[1]);
            r1a = Vector512.FusedMultiplyAdd(x, b0, r1a);
            r1b = Vector512.FusedMultiplyAdd(x, b1, r1b);
            x = Vector512.Create(a[2]);
            r2a = Vector512.FusedMultiplyAdd(x, b0, r2a);
            r2b = Vector512.FusedMultiplyAdd(x, b1, r2b);
            x = Vector512.Create(a[3]);
            r3a = Vector512.FusedMultiplyAdd(x, b0, r3a);
            r3b = Vector512.FusedMultiplyAdd(x, b1, r3b);
            x = Vector512.Create(a[4]);
            r4a = Vector512.FusedMultiplyAdd(x, b0, r4a);
            r4b = Vector512.FusedMultiplyAdd(x, b1, r4b);
            x = Vector512.Create(a[5]);
            r5a = Vector512.FusedMultiplyAdd(x, b0, r5a);
            r5b = Vector512.FusedMultiplyAdd(x, b1, r5b);
            x = Vector512.Create(a[6]);
            r6a = Vector512.FusedMultiplyAdd(x, b0, r6a);
            r6b = Vector512.FusedMultiplyAdd(x, b1, r6b);
            x = Vector512.Create(a[7]);
            r7a = Vector512.FusedMultiplyAdd(x, b0, r7a);
            r7b = Vector512.FusedMultiplyAdd(x, b1, r7b);
            x = Vector512.Create(a[8]);
            r8a = Vector512.FusedMultiplyAdd(x, b0, r8a);
            r8b = Vector512.FusedMultiplyAdd(x, b1, r8b);
            x = Vector512.Create(a[9]);
            r9a = Vector512.FusedMultiplyAdd(x, b0, r9a);
            r9b = Vector512.FusedMultiplyAdd(x, b1, r9b);
            x = Vector512.Create(a[10]);
            r10a = Vector512.FusedMultiplyAdd(x, b0, r10a);
            r10b = Vector512.FusedMultiplyAdd(x, b1, r10b);
            x = Vector512.Create(a[11]);
            r11a = Vector512.FusedMultiplyAdd(x, b0, r11a);
            r11b = Vector512.FusedMultiplyAdd(x, b1, r11b);
            x = Vector512.Create(a[12]);
            r12a = Vector512.FusedMultiplyAdd(x, b0, r12a);
            r12b = Vector512.FusedMultiplyAdd(x, b1, r12b);
            x = Vector512.Create(a[13]);
            r13a = Vector512.FusedMultiplyAdd(x, b0, r13a);
            r13b = Vector512.FusedMultiplyAdd(x, b1, r13b);
            a += MR;
            b += NR;
        }
        Vector512<float> alphaV = Vector512.Create(alpha);
        Vector512<float> betaV = Vector512.Create(beta);
        bool overwrite = beta == 0;
        StoreRow(c + 0 * ldc, r0a, r0b, alphaV, betaV, overwrite);
        StoreRow(c + 1 * ldc, r1a, r1b, alphaV, betaV, overwrite);
        StoreRow(c + 2 * ldc, r2a, r2b, alphaV, betaV, overwrite);
        StoreRow(c + 3 * ldc, r3a, r3b, alphaV, betaV, overwrite);
        StoreRow(c + 4 * ldc, r4a, r4b, alphaV, betaV, overwrite);
        StoreRow(c + 5 * ldc, r5a, r5b, alphaV, betaV, overwrite);
        StoreRow(c + 6 * ldc, r6a, r6b, alphaV, betaV, overwrite);
        StoreRow(c + 7 * ldc, r7a, r7b, alphaV, betaV, overwrite);
        StoreRow(c + 8 * ldc, r8a, r8b, alphaV, betaV, overwrite);
        StoreRow(c + 9 * ldc, r9a, r9b, alphaV, betaV, overwrite);
        StoreRow(c + 10 * ldc, r10a, r10b, alphaV, betaV, overwrite);
        StoreRow(c + 11 * ldc, r11a, r11b, alphaV, betaV, overwrite);
        StoreRow(c + 12 * ldc, r12a, r12b, alphaV, betaV, overwrite);
        StoreRow(c + 13 * ldc, r13a, r13b, alphaV, betaV, overwrite);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector512<float> x0, Vector512<float> x1, Vector512<float> alphaV,
        Vector512<float> betaV, bool overwrite)
    {
        if (overwrite)
        {
            (x0 * alphaV).Store(c);
            (x1 * alphaV).Store(c + 16);
        }
        else
        {
            Vector512.FusedMultiplyAdd(x0, alphaV, Vector512.Load(c) * betaV).Store(c);
            Vector512.FusedMultiplyAdd(x1, alphaV, Vector512.Load(c + 16) * betaV).Store(c + 16);
        }
    }
}
