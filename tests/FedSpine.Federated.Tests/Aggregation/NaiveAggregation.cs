// Reference maths for the aggregation strategies written straight from their formulas: element-by-element loops in
// double precision, ownership looked up per coordinate, and MathNet's full SVD of the dense ΔW for the SVD strategies.
using FedSpine.Federated.Aggregation;
using MathNet.Numerics.LinearAlgebra;

namespace FedSpine.Federated.Tests.Aggregation;

internal static class NaiveAggregation
{
    /// <returns>[out, in] ΔW_i = Scale·B·A placed at the device's kept rows × kept columns, zero elsewhere.</returns>
    public static double[] Delta(DeviceModuleUpdate u, int outDim, int inDim)
    {
        var delta = new double[outDim * inDim];
        int kc = u.KeptColumns.Length;
        for (int p = 0; p < u.KeptRows.Length; p++)
        {
            for (int q = 0; q < kc; q++)
            {
                double sum = 0;
                for (int j = 0; j < u.Rank; j++)
                {
                    sum += (double)u.B[p * u.Rank + j] * u.A[j * kc + q];
                }
                delta[u.KeptRows[p] * inDim + u.KeptColumns[q]] = u.Scale * sum;
            }
        }
        return delta;
    }

    /// <returns>[out, in] B·A of a global module.</returns>
    public static double[] Product(GlobalModule g)
    {
        var product = new double[g.Out * g.In];
        for (int row = 0; row < g.Out; row++)
        {
            for (int col = 0; col < g.In; col++)
            {
                double sum = 0;
                for (int j = 0; j < g.Rank; j++)
                {
                    sum += (double)g.B[row * g.Rank + j] * g.A[j * g.In + col];
                }
                product[row * g.In + col] = sum;
            }
        }
        return product;
    }

    public static double Frobenius(double[] m) => Math.Sqrt(m.Sum(v => v * v));

    public static double[] SampleWeights(IReadOnlyList<DeviceModuleUpdate> updates) => Normalise(updates.Select(u => u.Weight).ToArray());

    public static double[] Normalise(double[] raw)
    {
        double total = raw.Sum();
        return raw.Select(w => total > 0 ? w / total : 1.0 / raw.Length).ToArray();
    }

    /// <summary>Owner-weighted per-coordinate average of the scattered factors (scatter / hetlora).</summary>
    public static (double[] B, double[] A) OwnedAverage(GlobalModule previous, IReadOnlyList<DeviceModuleUpdate> updates, double[] weights)
    {
        int rank = previous.Rank;
        var b = new double[previous.Out * rank];
        var a = new double[rank * previous.In];
        for (int row = 0; row < previous.Out; row++)
        {
            for (int j = 0; j < rank; j++)
            {
                double num = 0, den = 0;
                for (int i = 0; i < updates.Count; i++)
                {
                    var u = updates[i];
                    int p = Array.IndexOf(u.KeptRows, row);
                    if (p >= 0 && j < u.Rank && weights[i] > 0)
                    {
                        num += weights[i] * u.Scale * u.B[p * u.Rank + j];
                        den += weights[i];
                    }
                }
                b[row * rank + j] = den > 0 ? num / den : previous.B[row * rank + j];
            }
        }
        for (int j = 0; j < rank; j++)
        {
            for (int col = 0; col < previous.In; col++)
            {
                double num = 0, den = 0;
                for (int i = 0; i < updates.Count; i++)
                {
                    var u = updates[i];
                    int q = Array.IndexOf(u.KeptColumns, col);
                    if (q >= 0 && j < u.Rank && weights[i] > 0)
                    {
                        num += weights[i] * u.A[j * u.KeptColumns.Length + q];
                        den += weights[i];
                    }
                }
                a[j * previous.In + col] = den > 0 ? num / den : previous.A[j * previous.In + col];
            }
        }
        return (b, a);
    }

    /// <summary>Zero-padded sample-weighted average over all devices (fedavg).</summary>
    public static (double[] B, double[] A) ZeroPaddedAverage(GlobalModule previous, IReadOnlyList<DeviceModuleUpdate> updates)
    {
        var weights = SampleWeights(updates);
        int rank = previous.Rank;
        var b = new double[previous.Out * rank];
        var a = new double[rank * previous.In];
        for (int row = 0; row < previous.Out; row++)
        {
            for (int j = 0; j < rank; j++)
            {
                for (int i = 0; i < updates.Count; i++)
                {
                    var u = updates[i];
                    int p = Array.IndexOf(u.KeptRows, row);
                    b[row * rank + j] += p >= 0 && j < u.Rank ? weights[i] * u.Scale * u.B[p * u.Rank + j] : 0;
                }
            }
        }
        for (int j = 0; j < rank; j++)
        {
            for (int col = 0; col < previous.In; col++)
            {
                for (int i = 0; i < updates.Count; i++)
                {
                    var u = updates[i];
                    int q = Array.IndexOf(u.KeptColumns, col);
                    a[j * previous.In + col] += q >= 0 && j < u.Rank ? weights[i] * u.A[j * u.KeptColumns.Length + q] : 0;
                }
            }
        }
        return (b, a);
    }

    /// <returns>[out, in] the owner-normalised dense ΔW of flexlora, previous B·A where nobody owns a coordinate.</returns>
    public static double[] FlexDelta(GlobalModule previous, IReadOnlyList<DeviceModuleUpdate> updates)
    {
        var weights = SampleWeights(updates);
        var deltas = updates.Select(u => Delta(u, previous.Out, previous.In)).ToArray();
        var prior = Product(previous);
        var result = new double[previous.Out * previous.In];
        for (int row = 0; row < previous.Out; row++)
        {
            for (int col = 0; col < previous.In; col++)
            {
                double num = 0, den = 0;
                for (int i = 0; i < updates.Count; i++)
                {
                    if (updates[i].KeptRows.Contains(row) && updates[i].KeptColumns.Contains(col) && weights[i] > 0)
                    {
                        num += weights[i] * deltas[i][row * previous.In + col];
                        den += weights[i];
                    }
                }
                result[row * previous.In + col] = den > 0 ? num / den : prior[row * previous.In + col];
            }
        }
        return result;
    }

    /// <summary>Rank-R truncated SVD of a dense [out, in] matrix: B = U_R·S^{1/2}, A = S^{1/2}·V_Rᵀ, largest-|.| of each B column positive.</summary>
    public static (double[] B, double[] A, double[] Singular) Truncate(double[] delta, int outDim, int inDim, int rank)
    {
        var m = Matrix<double>.Build.Dense(outDim, inDim, (r, c) => delta[r * inDim + c]);
        var svd = m.Svd(computeVectors: true);
        var b = new double[outDim * rank];
        var a = new double[rank * inDim];
        for (int k = 0; k < Math.Min(rank, Math.Min(outDim, inDim)); k++)
        {
            double root = Math.Sqrt(svd.S[k]);
            int argMax = 0;
            for (int r = 1; r < outDim; r++)
            {
                if (Math.Abs(svd.U[r, k]) > Math.Abs(svd.U[argMax, k]))
                {
                    argMax = r;
                }
            }
            double sign = svd.U[argMax, k] < 0 ? -1 : 1;
            for (int r = 0; r < outDim; r++)
            {
                b[r * rank + k] = sign * root * svd.U[r, k];
            }
            for (int c = 0; c < inDim; c++)
            {
                a[k * inDim + c] = sign * root * svd.VT[k, c];
            }
        }
        return (b, a, svd.S.ToArray());
    }

    /// <returns>[out, in] B·A of the naive truncated factors.</returns>
    public static double[] Multiply(double[] b, double[] a, int outDim, int inDim, int rank)
    {
        var product = new double[outDim * inDim];
        for (int row = 0; row < outDim; row++)
        {
            for (int col = 0; col < inDim; col++)
            {
                for (int j = 0; j < rank; j++)
                {
                    product[row * inDim + col] += b[row * rank + j] * a[j * inDim + col];
                }
            }
        }
        return product;
    }
}
