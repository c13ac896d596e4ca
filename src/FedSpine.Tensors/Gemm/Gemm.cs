// Fast matrix multiply with GemmReference's contract: few-row and tiny calls run unpacked (GemmDirect), the rest
// cache-blocked and packed (GemmBlocked) on the IsaPath's kernels (Vector512/256/128 or scalar), spread over WorkerPool.
using System.Runtime.CompilerServices;

namespace FedSpine.Tensors;

public static class Gemm
{
    /// <summary>Calls with at most this many rows of C run unpacked whatever their size (matrix-vector included).</summary>
    internal const int DirectMaxRows = 8;

    /// <summary>Calls with at most this many multiply-adds run unpacked.</summary>
    internal const long DirectMaxWork = 1 << 15;

    /// <summary>C[m,n] = beta·C + alpha·op(A)[m,k]·op(B)[k,n]; see GemmReference.Multiply. Results do not depend on
    /// WorkerPool.ThreadCount.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        => Multiply(IsaPath.Current, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /// <summary>y[m,n] (+)= x[m,k] · w[n,k]ᵀ (a linear layer's forward).</summary>
    public static void XWt(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, int m, int k, int n, bool accumulate = false)
        => Multiply(false, true, m, n, k, 1f, x, k, w, k, accumulate ? 1f : 0f, y, n);

    /// <summary>dx[m,k] (+)= dy[m,n] · w[n,k] (input gradient of a linear layer).</summary>
    public static void DyW(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, int m, int n, int k, bool accumulate = false)
        => Multiply(false, false, m, k, n, 1f, dy, n, w, k, accumulate ? 1f : 0f, dx, k);

    /// <summary>dw[n,k] (+)= dy[m,n]ᵀ · x[m,k] (weight gradient of a linear layer).</summary>
    public static void DytX(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dw, int m, int n, int k, bool accumulate = false)
        => Multiply(true, false, n, k, m, 1f, dy, n, x, k, accumulate ? 1f : 0f, dw, k);

    /// <summary>Multiply on the kernels of one SIMD flavour (tests run every flavour the machine supports).</summary>
    internal static unsafe void Multiply(Isa isa, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(m), $"negative size m={m} n={n} k={k}");
        }
        CheckOperand(nameof(a), a.Length, transA ? k : m, transA ? m : k, lda);
        CheckOperand(nameof(b), b.Length, transB ? n : k, transB ? k : n, ldb);
        CheckOperand(nameof(c), c.Length, m, n, ldc);
        if (m == 0 || n == 0)
        {
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
        {
            if (n == 1 && ldc == 1 && m > 1)
            {
                // C is one contiguous column: compute its transpose, the row op(B)ᵀ·op(A)ᵀ (matrix-vector).
                Run(isa, !transB, !transA, 1, m, k, alpha, pb, ldb, pa, lda, beta, pc, m);
            }
            else
            {
                Run(isa, transA, transB, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
            }
        }
    }

    /// <summary>Multiply on checked, pinned operands (m, n ≥ 1): picks the unpacked or the packed path.</summary>
    private static unsafe void Run(Isa isa, bool transA, bool transB, int m, int n, int k, float alpha, float* a,
        nint lda, float* b, nint ldb, float beta, float* c, nint ldc)
    {
        if (k > 0 && m > DirectMaxRows && (long)m * n * k > DirectMaxWork)
        {
            GemmBlocked.Multiply(isa, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        // The unpacked kernels read A by rows; a tiny call with many rows also prefers B by rows (no lane sums).
        if (transA && k > 0)
        {
            float* rows = GemmScratch.Current.Get(2, (long)m * k); // [m, k]
            CopyTransposed(a, lda, k, m, rows);
            a = rows;
            lda = k;
        }
        if (transB && m > DirectMaxRows)
        {
            float* columns = GemmScratch.Current.Get(3, (long)k * n); // [k, n]
            CopyTransposed(b, ldb, n, k, columns);
            b = columns;
            ldb = n;
            transB = false;
        }
        GemmDirect.Multiply(isa, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    private static void CheckOperand(string name, int length, int rows, int cols, int ld)
    {
        if (ld < cols)
        {
            throw new ArgumentOutOfRangeException(name, $"leading dimension {ld} is below the row length {cols}");
        }
        if (rows > 0 && cols > 0 && (long)(rows - 1) * ld + cols > length)
        {
            throw new ArgumentException($"{name} holds {length} floats, fewer than a [{rows}, {cols}] matrix with stride {ld} needs", name);
        }
    }

    /// <summary>dst[c, r] = src[r, c] for src [rows, cols] with row stride ld; dst is [cols, rows] contiguous.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void CopyTransposed(float* src, nint ld, int rows, int cols, float* dst)
    {
        for (int r = 0; r < rows; r++)
        {
            float* row = src + r * ld;
            for (int col = 0; col < cols; col++)
            {
                dst[(nint)col * rows + r] = row[col];
            }
        }
    }
}
