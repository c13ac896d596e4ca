// Writes a truncated SVD ΔW ≈ L·diag(S)·Rᵀ into the global module as B = L·S^{1/2} [Out, Rank], A = S^{1/2}·Rᵀ [Rank, In]
// with a deterministic sign (each B column's largest-|.| entry, first on ties, is positive); missing ranks and
// singular values below 1e-12·σ_max (numerical noise) become zero columns/rows.
using MathNet.Numerics.LinearAlgebra;

namespace FedSpine.Federated.Aggregation;

internal static class LowRankFactors
{
    public const double RelativeZero = 1e-12;

    /// <param name="left">[Out, k] orthonormal left singular vectors.</param>
    /// <param name="singular">[k] singular values, descending.</param>
    /// <param name="right">[In, k] orthonormal right singular vectors.</param>
    public static void Store(Matrix<double> left, double[] singular, Matrix<double> right, GlobalModule global)
    {
        int rank = global.Rank;
        Array.Clear(global.B);
        Array.Clear(global.A);
        double max = 0;
        foreach (double s in singular)
        {
            max = Math.Max(max, s);
        }
        int k = Math.Min(rank, singular.Length);
        for (int c = 0; c < k; c++)
        {
            if (!(singular[c] > max * RelativeZero))
            {
                continue;
            }
            var l = left.Column(c).ToArray();     // [Out]
            var r = right.Column(c).ToArray();    // [In]
            int argMax = 0;
            for (int i = 1; i < l.Length; i++)
            {
                if (Math.Abs(l[i]) > Math.Abs(l[argMax]))
                {
                    argMax = i;
                }
            }
            double root = Math.Sqrt(singular[c]);
            double signed = l[argMax] < 0 ? -root : root;
            for (int row = 0; row < global.Out; row++)
            {
                global.B[row * rank + c] = (float)(signed * l[row]);
            }
            for (int col = 0; col < global.In; col++)
            {
                global.A[c * global.In + col] = (float)(signed * r[col]);
            }
        }
    }
}
