// Portable micro-kernel (no usable SIMD): C[4,4] = alpha·(A sliver · B sliver) + beta·C with fused scalar multiply-adds.
// a: [kc, 4] (4 rows of A per reduction step); b: [kc, 4]; c: row stride ldc; beta 0 never reads C.
using System.Runtime.CompilerServices;

namespace FedSpine.Tensors;

internal static unsafe class GemmKernelScalar
{
    public const int MR = 4;
    public const int NR = 4;

    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        float* acc = stackalloc float[MR * NR]; // [MR, NR]
        new Span<float>(acc, MR * NR).Clear();
        for (int p = 0; p < kc; p++)
        {
            for (int r = 0; r < MR; r++)
            {
                float x = a[r];
                for (int j = 0; j < NR; j++)
                {
                    acc[r * NR + j] = MathF.FusedMultiplyAdd(x, b[j], acc[r * NR + j]);
                }
            }
            a += MR;
            b += NR;
        }
        for (int r = 0; r < MR; r++)
        {
            for (int j = 0; j < NR; j++)
            {
                float* target = c + r * ldc + j;
                *target = beta == 0 ? acc[r * NR + j] * alpha : MathF.FusedMultiplyAdd(acc[r * NR + j], alpha, *target * beta);
            }
        }
    }
}
