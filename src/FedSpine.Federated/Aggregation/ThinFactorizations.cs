// Thin QR and thin SVD of dense double matrices on MathNet's managed Householder/Golub-Kahan code: the SVD first
// reduces the long side by QR so only a min(m, n) square is decomposed, and forms only the singular vectors asked for.
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace FedSpine.Federated.Aggregation;

internal static class ThinFactorizations
{
    /// <summary>M = Q·R with Q [m, k] orthonormal columns, R [k, n], k = min(m, n) (Q = I when m &lt; n).</summary>
    public static (Matrix<double> Q, Matrix<double> R) Qr(Matrix<double> m)
    {
        if (m.RowCount < m.ColumnCount)
        {
            return (Matrix<double>.Build.DenseIdentity(m.RowCount), m);
        }
        var qr = m.QR(QRMethod.Thin);
        return (qr.Q, qr.R);
    }

    /// <summary>
    /// M [m, n] = U·diag(S)·Vᵀ; returns the leading <paramref name="keep"/> (at most min(m, n)) singular triplets,
    /// singular values descending: U [m, k], S [k], V [n, k].
    /// </summary>
    public static (Matrix<double> U, double[] S, Matrix<double> V) Svd(Matrix<double> m, int keep)
    {
        if (m.RowCount < m.ColumnCount)
        {
            var (u, s, v) = Svd(m.Transpose(), keep);
            return (v, s, u);
        }
        int n = m.ColumnCount;
        int k = Math.Min(keep, n);
        if (m.RowCount == n)
        {
            var svd = m.Svd(computeVectors: true);
            return (svd.U.SubMatrix(0, n, 0, k), Leading(svd.S, k), svd.VT.SubMatrix(0, k, 0, n).Transpose());
        }
        var (q, r) = Qr(m);                       // q [m, n], r [n, n]
        var core = r.Svd(computeVectors: true);
        return (q * core.U.SubMatrix(0, n, 0, k), Leading(core.S, k), core.VT.SubMatrix(0, k, 0, n).Transpose());
    }

    private static double[] Leading(Vector<double> s, int k)
    {
        var leading = new double[k];
        for (int i = 0; i < k; i++)
        {
            leading[i] = s[i];
        }
        return leading;
    }
}
