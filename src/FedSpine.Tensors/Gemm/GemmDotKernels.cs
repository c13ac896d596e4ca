// Unpacked kernels for op(B) = Bᵀ (B rows contiguous, as in XWt and matrix-vector): C[i,j] = alpha·dot(A row i, B row j)
// + beta·C. Every element is one fused chain over k in lane-strided order (zero-filled partial last vector), one lane sum.
using System.Runtime.CompilerServices;

namespace FedSpine.Tensors;

internal static unsafe class GemmDotKernels
{
    /// <summary>Rows [0, m) of A (row stride lda) against rows [j0, j1) of B (row stride ldb) into C (row stride ldc).
    /// B is walked in blocks of 8 rows, each block reused from cache by every row of A.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<TL, TV>(int m, int j0, int j1, int k, float alpha, float* a, nint lda, float* b, nint ldb,
        float beta, float* c, nint ldc)
        where TL : ILanes<TV>
        where TV : struct
    {
        int j = j0;
        for (; j + 8 <= j1; j += 8)
        {
            int i = 0;
            for (; i + 4 <= m; i += 4)
            {
                Block4x4<TL, TV>(k, alpha, a + i * lda, lda, b + j * ldb, ldb, beta, c + i * ldc + j, ldc);
                Block4x4<TL, TV>(k, alpha, a + i * lda, lda, b + (j + 4) * ldb, ldb, beta, c + i * ldc + j + 4, ldc);
            }
            for (; i < m; i++)
            {
                Block1x8<TL, TV>(k, alpha, a + i * lda, b + j * ldb, ldb, beta, c + i * ldc + j);
            }
        }
        for (; j < j1; j++)
        {
            for (int i = 0; i < m; i++)
            {
                Store(c + i * ldc + j, Dot<TL, TV>(k, a + i * lda, b + j * ldb), alpha, beta);
            }
        }
    }

    /// <summary>The store rule shared by all GEMM kernels: beta 0 never reads C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* c, float sum, float alpha, float beta) =>
        *c = beta == 0 ? sum * alpha : MathF.FusedMultiplyAdd(sum, alpha, *c * beta);

    /// <summary>Adds the partial last vector (p in [tail, k), zero-filled) to the chain, then sums the lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Finish<TL, TV>(TV acc, int tail, int k, float* x, float* y)
        where TL : ILanes<TV>
        where TV : struct
    {
        if (tail < k)
        {
            acc = TL.Fma(TL.LoadPartial(x + tail, k - tail), TL.LoadPartial(y + tail, k - tail), acc);
        }
        return TL.Sum(acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot<TL, TV>(int k, float* x, float* y)
        where TL : ILanes<TV>
        where TV : struct
    {
        int w = TL.Width;
        TV acc = TL.Zero;
        int p = 0;
        for (; p + w <= k; p += w)
        {
            acc = TL.Fma(TL.Load(x + p), TL.Load(y + p), acc);
        }
        return Finish<TL, TV>(acc, p, k, x, y);
    }

    /// <summary>One row of A against 8 consecutive rows of B: 8 chains in flight, one A load shared by all.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block1x8<TL, TV>(int k, float alpha, float* x, float* b, nint ldb, float beta, float* c)
        where TL : ILanes<TV>
        where TV : struct
    {
        int w = TL.Width;
        float* y0 = b;
        float* y1 = b + ldb;
        float* y2 = b + 2 * ldb;
        float* y3 = b + 3 * ldb;
        float* y4 = b + 4 * ldb;
        float* y5 = b + 5 * ldb;
        float* y6 = b + 6 * ldb;
        float* y7 = b + 7 * ldb;
        TV s0 = TL.Zero, s1 = TL.Zero, s2 = TL.Zero, s3 = TL.Zero, s4 = TL.Zero, s5 = TL.Zero, s6 = TL.Zero, s7 = TL.Zero;
        int p = 0;
        for (; p + w <= k; p += w)
        {
            TV xv = TL.Load(x + p);
            s0 = TL.Fma(xv, TL.Load(y0 + p), s0);
            s1 = TL.Fma(xv, TL.Load(y1 + p), s1);
            s2 = TL.Fma(xv, TL.Load(y2 + p), s2);
            s3 = TL.Fma(xv, TL.Load(y3 + p), s3);
            s4 = TL.Fma(xv, TL.Load(y4 + p), s4);
            s5 = TL.Fma(xv, TL.Load(y5 + p), s5);
            s6 = TL.Fma(xv, TL.Load(y6 + p), s6);
            s7 = TL.Fma(xv, TL.Load(y7 + p), s7);
        }
        Store(c, Finish<TL, TV>(s0, p, k, x, y0), alpha, beta);
        Store(c + 1, Finish<TL, TV>(s1, p, k, x, y1), alpha, beta);
        Store(c + 2, Finish<TL, TV>(s2, p, k, x, y2), alpha, beta);
        Store(c + 3, Finish<TL, TV>(s3, p, k, x, y3), alpha, beta);
        Store(c + 4, Finish<TL, TV>(s4, p, k, x, y4), alpha, beta);
        Store(c + 5, Finish<TL, TV>(s5, p, k, x, y5), alpha, beta);
        Store(c + 6, Finish<TL, TV>(s6, p, k, x, y6), alpha, beta);
        Store(c + 7, Finish<TL, TV>(s7, p, k, x, y7), alpha, beta);
    }

    /// <summary>4 rows of A against 4 rows of B: 16 chains, 8 loads per 16 multiply-adds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block4x4<TL, TV>(int k, float alpha, float* a, nint lda, float* b, nint ldb, float beta, float* c,
        nint ldc)
        where TL : ILanes<TV>
        where TV : struct
    {
        int w = TL.Width;
        float* x0 = a;
        float* x1 = a + lda;
        float* x2 = a + 2 * lda;
        float* x3 = a + 3 * lda;
        float* y0 = b;
        float* y1 = b + ldb;
        float* y2 = b + 2 * ldb;
        float* y3 = b + 3 * ldb;
        TV s00 = TL.Zero, s01 = TL.Zero, s02 = TL.Zero, s03 = TL.Zero;
        TV s10 = TL.Zero, s11 = TL.Zero, s12 = TL.Zero, s13 = TL.Zero;
        TV s20 = TL.Zero, s21 = TL.Zero, s22 = TL.Zero, s23 = TL.Zero;
        TV s30 = TL.Zero, s31 = TL.Zero, s32 = TL.Zero, s33 = TL.Zero;
        int p = 0;
        for (; p + w <= k; p += w)
        {
            TV v0 = TL.Load(y0 + p);
            TV v1 = TL.Load(y1 + p);
            TV v2 = TL.Load(y2 + p);
            TV v3 = TL.Load(y3 + p);
            TV u = TL.Load(x0 + p);
            s00 = TL.Fma(u, v0, s00);
            s01 = TL.Fma(u, v1, s01);
            s02 = TL.Fma(u, v2, s02);
            s03 = TL.Fma(u, v3, s03);
            u = TL.Load(x1 + p);
            s10 = TL.Fma(u, v0, s10);
            s11 = TL.Fma(u, v1, s11);
            s12 = TL.Fma(u, v2, s12);
            s13 = TL.Fma(u, v3, s13);
            u = TL.Load(x2 + p);
            s20 = TL.Fma(u, v0, s20);
            s21 = TL.Fma(u, v1, s21);
            s22 = TL.Fma(u, v2, s22);
            s23 = TL.Fma(u, v3, s23);
            u = TL.Load(x3 + p);
            s30 = TL.Fma(u, v0, s30);
            s31 = TL.Fma(u, v1, s31);
            s32 = TL.Fma(u, v2, s32);
            s33 = TL.Fma(u, v3, s33);
        }
        StoreRow<TL, TV>(c, k, p, x0, y0, y1, y2, y3, s00, s01, s02, s03, alpha, beta);
        StoreRow<TL, TV>(c + ldc, k, p, x1, y0, y1, y2, y3, s10, s11, s12, s13, alpha, beta);
        StoreRow<TL, TV>(c + 2 * ldc, k, p, x2, y0, y1, y2, y3, s20, s21, s22, s23, alpha, beta);
        StoreRow<TL, TV>(c + 3 * ldc, k, p, x3, y0, y1, y2, y3, s30, s31, s32, s33, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TL, TV>(float* c, int k, int tail, float* x, float* y0, float* y1, float* y2, float* y3,
        TV s0, TV s1, TV s2, TV s3, float alpha, float beta)
        where TL : ILanes<TV>
        where TV : struct
    {
        Store(c, Finish<TL, TV>(s0, tail, k, x, y0), alpha, beta);
        Store(c + 1, Finish<TL, TV>(s1, tail, k, x, y1), alpha, beta);
        Store(c + 2, Finish<TL, TV>(s2, tail, k, x, y2), alpha, beta);
        Store(c + 3, Finish<TL, TV>(s3, tail, k, x, y3), alpha, beta);
    }
}
