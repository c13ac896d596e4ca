// Plain reference matrix multiply: triple loop, no blocking, no intrinsics, double accumulation.
// The fast kernels in Gemm are tested against this.
namespace FedSpine.Tensors;

public static class GemmReference
{
    /// <summary>C[m,n] = beta·C + alpha·op(A)[m,k]·op(B)[k,n], row-major with leading dimensions.
    /// op(A) = A [m,k] (lda ≥ k) or, transposed, A is stored [k,m] (lda ≥ m); likewise B [k,n] or [n,k].</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA ? a[p * lda + i] : a[i * lda + p];
                    float bv = transB ? b[j * ldb + p] : b[p * ldb + j];
                    sum += (double)av * bv;
                }
                float prior = beta == 0 ? 0f : beta * c[i * ldc + j];
                c[i * ldc + j] = prior + alpha * (float)sum;
            }
        }
    }

    /// <summary>y[m,n] (+)= x[m,k] · w[n,k]ᵀ (a linear layer's forward).</summary>
    public static void XWt(ReadOnlySpan<float> x, ReadOnlySpan<float> w, Span<float> y, int m, int k, int n, bool accumulate = false)
        => Multiply(false, true, m, n, k, 1f, x, k, w, k, accumulate ? 1f : 0f, y, n);

    /// <summary>dx[m,k] (+)= dy[m,n] · w[n,k] (input gradient of a linear layer).</summary>
    public static void DyW(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, int m, int n, int k, bool accumulate = false)
        => Multiply(false, false, m, k, n, 1f, dy, n, w, k, accumulate ? 1f : 0f, dx, k);

    /// <summary>dw[n,k] (+)= dy[m,n]ᵀ · x[m,k] (weight gradient of a linear layer).</summary>
    public static void DytX(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dw, int m, int n, int k, bool accumulate = false)
        => Multiply(true, false, n, k, m, 1f, dy, n, x, k, accumulate ? 1f : 0f, dw, k);
}
