// Fast matrix multiply: the same contract as GemmReference, cache-blocked and packed, Vector512/Vector256/scalar,
// spread over all cores. PLACEHOLDER: forwards to the reference until the tuned kernel lands.
namespace FedSpine.Tensors;

public static class Gemm
{
    /// <summary>C[m,n] = beta·C + alpha·op(A)[m,k]·op(B)[k,n]; see GemmReference.Multiply.</summary>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        => GemmReference.Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

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
