// "factor-svd": flexlora's result without forming Out x In. Stacks √w_i·Scale_i·B̃_i [Out, Σr] and √w_i·A_i [Σr, In],
// normalises the pruned side by its owners' weight, appends the previous factors on unowned rows/columns, then thin QR
// of both stacks and an SVD of the small core. Supports modules where only rows or only columns are pruned.
using MathNet.Numerics.LinearAlgebra;

namespace FedSpine.Federated.Aggregation;

public sealed class FactorSpaceAggregator : ILoraAggregator
{
    public string Name => "factor-svd";

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
        int rank = global.Rank;
        bool rowsPruned = false;
        bool columnsPruned = false;
        int stackedRank = 0;
        for (int i = 0; i < updates.Count; i++)
        {
            if (weights[i] > 0)
            {
                rowsPruned |= updates[i].KeptRows.Length < outDim;
                columnsPruned |= updates[i].KeptColumns.Length < inDim;
                stackedRank += updates[i].Rank;
            }
        }
        if (rowsPruned && columnsPruned)
        {
            throw new NotSupportedException(
                $"factor-svd: the updates of this {outDim}x{inDim} module prune both rows and columns, so the per-coordinate " +
                "owner normalisation is not a row or column scaling of the factors; use flexlora for such modules");
        }

        // Owner weight per unit of the pruned side (rows unless columns are pruned; all 1 when nothing is pruned).
        bool byColumn = columnsPruned;
        var cover = new double[byColumn ? inDim : outDim];
        for (int i = 0; i < updates.Count; i++)
        {
            if (weights[i] > 0)
            {
                foreach (int unit in byColumn ? updates[i].KeptColumns : updates[i].KeptRows)
                {
                    cover[unit] += weights[i];
                }
            }
        }
        bool anyUnowned = Array.IndexOf(cover, 0.0) >= 0;
        int stacked = stackedRank + (anyUnowned ? rank : 0);
        var bStack = new double[outDim * stacked];    // [Out, stacked] column-major
        var aStackT = new double[inDim * stacked];    // [In, stacked] column-major, = A_stackᵀ
        int offset = 0;
        for (int i = 0; i < updates.Count; i++)
        {
            if (weights[i] <= 0)
            {
                continue;
            }
            var u = updates[i];
            int r = u.Rank;
            int kc = u.KeptColumns.Length;
            double root = Math.Sqrt(weights[i]);
            for (int j = 0; j < r; j++)
            {
                int bColumn = (offset + j) * outDim;
                for (int p = 0; p < u.KeptRows.Length; p++)
                {
                    int row = u.KeptRows[p];
                    double value = root * u.Scale * u.B[p * r + j];
                    bStack[bColumn + row] = byColumn ? value : value / cover[row];
                }
                int aColumn = (offset + j) * inDim;
                for (int q = 0; q < kc; q++)
                {
                    int col = u.KeptColumns[q];
                    double value = root * u.A[j * kc + q];
                    aStackT[aColumn + col] = byColumn ? value / cover[col] : value;
                }
            }
            offset += r;
        }
        if (anyUnowned)
        {
            // Previous factors, restricted on the pruned side to the units nobody owns, with weight 1.
            for (int j = 0; j < rank; j++)
            {
                int bColumn = (offset + j) * outDim;
                for (int row = 0; row < outDim; row++)
                {
                    if (byColumn || cover[row] == 0)
                    {
                        bStack[bColumn + row] = global.B[row * rank + j];
                    }
                }
                int aColumn = (offset + j) * inDim;
                for (int col = 0; col < inDim; col++)
                {
                    if (!byColumn || cover[col] == 0)
                    {
                        aStackT[aColumn + col] = global.A[j * inDim + col];
                    }
                }
            }
        }

        var (qB, rB) = ThinFactorizations.Qr(Matrix<double>.Build.Dense(outDim, stacked, bStack));   // qB [Out, kB], rB [kB, stacked]
        var (qA, rA) = ThinFactorizations.Qr(Matrix<double>.Build.Dense(inDim, stacked, aStackT));   // qA [In, kA], rA [kA, stacked]
        var core = rB.TransposeAndMultiply(rA);                                                         // [kB, kA] = R_B·R_Aᵀ
        var (u0, s, v0) = ThinFactorizations.Svd(core, rank);
        LowRankFactors.Store(qB * u0, s, qA * v0, global);
    }
}
