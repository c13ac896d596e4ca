// Multiplies a packed A block by a packed B block into a C tile, register tile by register tile; edge tiles run the
// same full-size micro-kernel into a local tile and are merged, so every element sees the same arithmetic.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FedSpine.Tensors;

internal static unsafe class GemmMacroKernel
{
    private const int MaxTile = GemmKernel512.MR * GemmKernel512.NR;

    /// <summary>C[rows, cols] = alpha·A·B + beta·C with A packed [rows, kc] in mr-row slivers and B packed [kc, cols]
    /// in nr-column slivers (rows, cols: any; slivers are zero-padded).</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(Isa isa, in GemmBlocking blocking, int rows, int cols, int kc, float* aBlock, float* bBlock,
        float* c, nint ldc, float alpha, float beta)
    {
        int mr = blocking.MR;
        int nr = blocking.NR;
        float* tile = stackalloc float[MaxTile]; // [mr, nr], row stride nr
        for (int j = 0; j < cols; j += nr)
        {
            int width = Math.Min(nr, cols - j);
            float* b = bBlock + (nint)j * kc;
            for (int i = 0; i < rows; i += mr)
            {
                int height = Math.Min(mr, rows - i);
                float* a = aBlock + (nint)i * kc;
                float* target = c + i * ldc + j;
                if (height == mr && width == nr)
                {
                    Kernel(isa, kc, a, b, target, ldc, alpha, beta);
                }
                else
                {
                    Kernel(isa, kc, a, b, tile, nr, 1f, 0f);
                    Merge(tile, nr, target, ldc, height, width, alpha, beta);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Kernel(Isa isa, int kc, float* a, float* b, float* c, nint ldc, float alpha, float beta)
    {
        switch (isa)
        {
            case Isa.Avx512:
                GemmKernel512.Run(kc, a, b, c, ldc, alpha, beta);
                break;
            case Isa.Avx2:
                GemmKernel6x2.Run<Lanes256, Vector256<float>>(kc, a, b, c, ldc, alpha, beta);
                break;
            case Isa.Vector128:
                GemmKernel6x2.Run<Lanes128, Vector128<float>>(kc, a, b, c, ldc, alpha, beta);
                break;
            default:
                GemmKernelScalar.Run(kc, a, b, c, ldc, alpha, beta);
                break;
        }
    }

    /// <summary>c = alpha·tile + beta·c over [height, width], the micro-kernels' store rule.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Merge(float* tile, nint ldt, float* c, nint ldc, int height, int width, float alpha, float beta)
    {
        for (int r = 0; r < height; r++)
        {
            float* t = tile + r * ldt;
            float* row = c + r * ldc;
            for (int j = 0; j < width; j++)
            {
                row[j] = beta == 0 ? t[j] * alpha : MathF.FusedMultiplyAdd(t[j], alpha, row[j] * beta);
            }
        }
    }
}
