// Unpacked kernels for op(B) = B (rows of B contiguous along n): C[i, j] = alpha·Σp A[i,p]·B[p,j] + beta·C.
// Every element is one fused chain over p = 0..k-1 in order, whichever kernel, vector lane or scalar computes it.
using System.Runtime.CompilerServices;

namespace FedSpine.Tensors;

internal static unsafe class GemmAxpyKernels
{
    /// <summary>Columns of C one streaming pass handles; their running sums stay in L1.</summary>
    private const int PassColumns = 512;

    /// <summary>Rows [0, m) of C over columns [j0, j1); A row stride lda, B row stride ldb, C row stride ldc. Groups
    /// of 4 rows keep 4×4 vectors of C in registers over all of k (compute-bound shapes); single rows and leftover
    /// columns stream rows of B contiguously (memory-bound shapes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static void Run<TL, TV>(int m, int j0, int j1, int k, float alpha, float* a, nint lda, float* b, nint ldb,
        float beta, float* c, nint ldc)
        where TL : ILanes<TV>
        where TV : struct
    {
        float* sums = stackalloc float[PassColumns]; // running sums of one row over one pass
        int blockWidth = 4 * TL.Width;
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            int j = j0;
            for (; j + blockWidth <= j1; j += blockWidth)
            {
                Block4x4V<TL, TV>(k, alpha, a + i * lda, lda, b + j, ldb, beta, c + i * ldc + j, ldc);
            }
            for (; j + TL.Width <= j1; j += TL.Width)
            {
                Block4x1V<TL, TV>(k, alpha, a + i * lda, lda, b + j, ldb, beta, c + i * ldc + j, ldc);
            }
            for (int r = i; r < i + 4; r++)
            {
                Stream<TL, TV>(k, alpha, a + r * lda, b, ldb, beta, c + r * ldc, j, j1, sums);
            }
        }
        for (; i < m; i++)
        {
            Stream<TL, TV>(k, alpha, a + i * lda, b, ldb, beta, c + i * ldc, j0, j1, sums);
        }
    }

    /// <summary>One row of C over columns [j0, j1) in passes of PassColumns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Stream<TL, TV>(int k, float alpha, float* x, float* b, nint ldb, float beta, float* c, int j0,
        int j1, float* sums)
        where TL : ILanes<TV>
        where TV : struct
    {
        for (int c0 = j0; c0 < j1; c0 += PassColumns)
        {
            int width = Math.Min(PassColumns, j1 - c0);
            Accumulate<TL, TV>(k, x, b + c0, ldb, width, sums);
            Store<TL, TV>(sums, c + c0, width, alpha, beta);
        }
    }

    /// <summary>sums[j] = Σp x[p]·b[p·ldb + j] for j &lt; width, four rows of B per sweep.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate<TL, TV>(int k, float* x, float* b, nint ldb, int width, float* sums)
        where TL : ILanes<TV>
        where TV : struct
    {
        int w = TL.Width;
        int vectorEnd = width / w * w;
        new Span<float>(sums, width).Clear();
        int p = 0;
        for (; p + 4 <= k; p += 4)
        {
            float* r0 = b + p * ldb;
            float* r1 = r0 + ldb;
            float* r2 = r1 + ldb;
            float* r3 = r2 + ldb;
            TV x0 = TL.Broadcast(x[p]);
            TV x1 = TL.Broadcast(x[p + 1]);
            TV x2 = TL.Broadcast(x[p + 2]);
            TV x3 = TL.Broadcast(x[p + 3]);
            int j = 0;
            for (; j < vectorEnd; j += w)
            {
                TV s = TL.Load(sums + j);
                s = TL.Fma(x0, TL.Load(r0 + j), s);
                s = TL.Fma(x1, TL.Load(r1 + j), s);
                s = TL.Fma(x2, TL.Load(r2 + j), s);
                s = TL.Fma(x3, TL.Load(r3 + j), s);
                TL.Store(sums + j, s);
            }
            for (; j < width; j++)
            {
                float s = sums[j];
                s = MathF.FusedMultiplyAdd(x[p], r0[j], s);
                s = MathF.FusedMultiplyAdd(x[p + 1], r1[j], s);
                s = MathF.FusedMultiplyAdd(x[p + 2], r2[j], s);
                s = MathF.FusedMultiplyAdd(x[p + 3], r3[j], s);
                sums[j] = s;
            }
        }
        for (; p < k; p++)
        {
            float* r0 = b + p * ldb;
            TV x0 = TL.Broadcast(x[p]);
            int j = 0;
            for (; j < vectorEnd; j += w)
            {
                TL.Store(sums + j, TL.Fma(x0, TL.Load(r0 + j), TL.Load(sums + j)));
            }
            for (; j < width; j++)
            {
                sums[j] = MathF.FusedMultiplyAdd(x[p], r0[j], sums[j]);
            }
        }
    }

    /// <summary>4 rows of C, 4 vectors wide, over all of k: 16 chains, 4 B loads and 4 broadcasts per 16
    /// multiply-adds.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block4x4V<TL, TV>(int k, float alpha, float* a, nint lda, float* b, nint ldb, float beta, float* c,
        nint ldc)
        where TL : ILanes<TV>
        where TV : struct
    {
        int w = TL.Width;
        float* x0 = a;
        float* x1 = a + lda;
        float* x2 = a + 2 * lda;
        float* x3 = a + 3 * lda;
        TV s00 = TL.Zero, s01 = TL.Zero, s02 = TL.Zero, s03 = TL.Zero;
        TV s10 = TL.Zero, s11 = TL.Zero, s12 = TL.Zero, s13 = TL.Zero;
        TV s20 = TL.Zero, s21 = TL.Zero, s22 = TL.Zero, s23 = TL.Zero;
        TV s30 = TL.Zero, s31 = TL.Zero, s32 = TL.Zero, s33 = TL.Zero;
        float* y = b;
        for (int p = 0; p < k; p++, y += ldb)
        {
            TV v0 = TL.Load(y);
            TV v1 = TL.Load(y + w);
            TV v2 = TL.Load(y + 2 * w);
            TV v3 = TL.Load(y + 3 * w);
            TV u = TL.Broadcast(x0[p]);
            s00 = TL.Fma(u, v0, s00);
            s01 = TL.Fma(u, v1, s01);
            s02 = TL.Fma(u, v2, s02);
            s03 = TL.Fma(u, v3, s03);
            u = TL.Broadcast(x1[p]);
            s10 = TL.Fma(u, v0, s10);
            s11 = TL.Fma(u, v1, s11);
            s12 = TL.Fma(u, v2, s12);
            s13 = TL.Fma(u, v3, s13);
            u = TL.Broadcast(x2[p]);
            s20 = TL.Fma(u, v0, s20);
            s21 = TL.Fma(u, v1, s21);
            s22 = TL.Fma(u, v2, s22);
            s23 = TL.Fma(u, v3, s23);
            u = TL.Broadcast(x3[p]);
            s30 = TL.Fma(u, v0, s30);
            s31 = TL.Fma(u, v1, s31);
            s32 = TL.Fma(u, v2, s32);
            s33 = TL.Fma(u, v3, s33);
        }
        StoreRow<TL, TV>(c, w, s00, s01, s02, s03, alpha, beta);
        StoreRow<TL, TV>(c + ldc, w, s10, s11, s12, s13, alpha, beta);
        StoreRow<TL, TV>(c + 2 * ldc, w, s20, s21, s22, s23, alpha, beta);
        StoreRow<TL, TV>(c + 3 * ldc, w, s30, s31, s32, s33, alpha, beta);
    }

    /// <summary>4 rows of C, one vector wide, over all of k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block4x1V<TL, TV>(int k, float alpha, float* a, nint lda, float* b, nint ldb, float beta, float* c,
        nint ldc)
        where TL : ILanes<TV>
        where TV : struct
    {
        float* x0 = a;
        float* x1 = a + lda;
        float* x2 = a + 2 * lda;
        float* x3 = a + 3 * lda;
        TV s0 = TL.Zero, s1 = TL.Zero, s2 = TL.Zero, s3 = TL.Zero;
        float* y = b;
        for (int p = 0; p < k; p++, y += ldb)
        {
            TV v = TL.Load(y);
            s0 = TL.Fma(TL.Broadcast(x0[p]), v, s0);
            s1 = TL.Fma(TL.Broadcast(x1[p]), v, s1);
            s2 = TL.Fma(TL.Broadcast(x2[p]), v, s2);
            s3 = TL.Fma(TL.Broadcast(x3[p]), v, s3);
        }
        StoreV<TL, TV>(c, s0, alpha, beta);
        StoreV<TL, TV>(c + ldc, s1, alpha, beta);
        StoreV<TL, TV>(c + 2 * ldc, s2, alpha, beta);
        StoreV<TL, TV>(c + 3 * ldc, s3, alpha, beta);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow<TL, TV>(float* c, int w, TV s0, TV s1, TV s2, TV s3, float alpha, float beta)
        where TL : ILanes<TV>
        where TV : struct
    {
        StoreV<TL, TV>(c, s0, alpha, beta);
        StoreV<TL, TV>(c + w, s1, alpha, beta);
        StoreV<TL, TV>(c + 2 * w, s2, alpha, beta);
        StoreV<TL, TV>(c + 3 * w, s3, alpha, beta);
    }

    /// <summary>c = alpha·s + beta·c for one vector (beta 0 never reads c), the rule of GemmDotKernels.Store.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreV<TL, TV>(float* c, TV s, float alpha, float beta)
        where TL : ILanes<TV>
        where TV : struct
    {
        TV alphaV = TL.Broadcast(alpha);
        TL.Store(c, beta == 0 ? TL.Mul(s, alphaV) : TL.Fma(s, alphaV, TL.Mul(TL.Load(c), TL.Broadcast(beta))));
    }

    /// <summary>c[j] = alpha·sums[j] + beta·c[j] for j &lt; width (beta 0 never reads c).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Store<TL, TV>(float* sums, float* c, int width, float alpha, float beta)
        where TL : ILanes<TV>
        where TV : struct
    {
        int w = TL.Width;
        int j = 0;
        for (; j + w <= width; j += w)
        {
            StoreV<TL, TV>(c + j, TL.Load(sums + j), alpha, beta);
        }
        for (; j < width; j++)
        {
            GemmDotKernels.Store(c + j, sums[j], alpha, beta);
        }
    }
}
