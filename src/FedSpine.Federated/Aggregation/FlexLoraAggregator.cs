// "flexlora": dense ΔW [Out, In] = Σ_i w_i·scatter(Scale_i·B_i·A_i), divided per coordinate by the weight of the devices
// owning it (kept row and kept column); unowned coordinates take the previous global B·A; then the truncated SVD to the
// global rank: B = U_R·S_R^{1/2}, A = S_R^{1/2}·V_Rᵀ (sign fixed by LowRankFactors). Costs O(Out·In·Σr_i) by definition.
using System.Numerics.Tensors;
using MathNet.Numerics.LinearAlgebra;

namespace FedSpine.Federated.Aggregation;

public sealed class FlexLoraAggregator : ILoraAggregator
{
    public string Name => "flexlora";

    public bool Refactors => true;

    public void Aggregate(GlobalModule global, IReadOnlyList<DeviceModuleUpdate> updates)
    {
        UpdateValidation.Check(Name, global, updates, rankAtMostGlobal: false);
        if (updates.Count == 0)
        {
            return;
        }
        var weights = AggregationWeights.Samples(updates);
        int outDim = global.Out;
        int inDim = global.In;
        var delta = new double[outDim * inDim];   // [Out, In] row-major: Σ w_i·scattered ΔW_i, then the average
        var owned = new double[outDim * inDim];   // [Out, In] summed weight of the owning devices
        for (int i = 0; i < updates.Count; i++)
        {
            if (weights[i] > 0)
            {
                Accumulate(updates[i], weights[i], inDim, delta, owned);
            }
        }
        int rank = global.Rank;
        for (int row = 0; row < outDim; row++)
        {
            for (int col = 0; col < inDim; col++)
            {
                int k = row * inDim + col;
                if (owned[k] > 0)
                {
                    delta[k] /= owned[k];
                    continue;
                }
                double previous = 0;
                for (int j = 0; j < rank; j++)
                {
                    previous += (double)global.B[row * rank + j] * global.A[j * inDim + col];
                }
                delta[k] = previous;
            }
        }
        // The row-major [Out, In] buffer is the column-major storage of ΔWᵀ [In, Out] = U'·S·V'ᵀ, so ΔW = V'·S·U'ᵀ.
        var deltaT = Matrix<double>.Build.Dense(inDim, outDim, delta);
        var (u, s, v) = ThinFactorizations.Svd(deltaT, rank);
        LowRankFactors.Store(v, s, u, global);
    }

    private static void Accumulate(DeviceModuleUpdate u, double weight, int inDim, double[] delta, double[] owned)
    {
        int r = u.Rank;
        int kc = u.KeptColumns.Length;
        bool allColumns = kc == inDim;
        var a = new double[r * kc];   // [r, kc]
        for (int k = 0; k < a.Length; k++)
        {
            a[k] = u.A[k];
        }
        for (int p = 0; p < u.KeptRows.Length; p++)
        {
            int row = u.KeptRows[p];
            var deltaRow = delta.AsSpan(row * inDim, inDim);
            var ownedRow = owned.AsSpan(row * inDim, inDim);
            for (int j = 0; j < r; j++)
            {
                double b = weight * u.Scale * u.B[p * r + j];
                var aRow = a.AsSpan(j * kc, kc);
                if (allColumns)
                {
                    TensorPrimitives.MultiplyAdd(aRow, b, deltaRow, deltaRow);
                }
                else
                {
                    for (int q = 0; q < kc; q++)
                    {
                        deltaRow[u.KeptColumns[q]] += b * aRow[q];
                    }
                }
            }
            if (allColumns)
            {
                TensorPrimitives.Add(ownedRow, weight, ownedRow);
            }
            else
            {
                foreach (int col in u.KeptColumns)
                {
                    ownedRow[col] += weight;
                }
            }
        }
    }
}
