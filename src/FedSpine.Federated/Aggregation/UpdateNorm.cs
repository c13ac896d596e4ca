// Frobenius norm of a device's ΔW = Scale·B·A without forming it: ||BA||_F² = trace((BᵀB)(AAᵀ)), two [r, r] Gram
// matrices, O((kept rows + kept columns)·r²) in double precision.
namespace FedSpine.Federated.Aggregation;

internal static class UpdateNorm
{
    public static double Frobenius(DeviceModuleUpdate update)
    {
        int r = update.Rank;
        int kr = update.KeptRows.Length;
        int kc = update.KeptColumns.Length;
        var gramB = new double[r * r];   // [r, r] BᵀB
        var gramA = new double[r * r];   // [r, r] AAᵀ
        for (int p = 0; p < kr; p++)
        {
            for (int j = 0; j < r; j++)
            {
                double bj = update.B[p * r + j];
                for (int k = 0; k < r; k++)
                {
                    gramB[j * r + k] += bj * update.B[p * r + k];
                }
            }
        }
        for (int j = 0; j < r; j++)
        {
            for (int k = 0; k <= j; k++)
            {
                double dot = 0;
                for (int q = 0; q < kc; q++)
                {
                    dot += (double)update.A[j * kc + q] * update.A[k * kc + q];
                }
                gramA[j * r + k] = dot;
                gramA[k * r + j] = dot;
            }
        }
        double squared = 0;
        for (int k = 0; k < gramA.Length; k++)
        {
            squared += gramB[k] * gramA[k];   // both symmetric: trace(GB·GA) = Σ GB∘GA
        }
        return Math.Abs((double)update.Scale) * Math.Sqrt(Math.Max(0, squared));
    }
}
