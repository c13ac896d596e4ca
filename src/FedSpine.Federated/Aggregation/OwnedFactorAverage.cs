// Per-coordinate weighted average of the devices' factors scattered to full coordinates, over the devices that own
// each coordinate: B[row, j] is owned iff row is kept and j < r_i, A[j, col] iff col is kept and j < r_i. B̃_i carries
// Scale_i. Coordinates owned by no device (or only by zero-weight devices) keep their previous global value.
namespace FedSpine.Federated.Aggregation;

internal static class OwnedFactorAverage
{
    /// <param name="weights">[updates.Count] device weights (any positive scale; the average normalises per coordinate).</param>
    public static void Apply(IReadOnlyList<DeviceModuleUpdate> updates, ReadOnlySpan<double> weights, GlobalModule global)
    {
        int rank = global.Rank;
        var bSum = new double[global.Out * rank];     // [Out, Rank]
        var bWeight = new double[global.Out * rank];  // [Out, Rank]
        var aSum = new double[rank * global.In];      // [Rank, In]
        var aWeight = new double[rank * global.In];   // [Rank, In]
        for (int i = 0; i < updates.Count; i++)
        {
            var u = updates[i];
            double w = weights[i];
            if (w <= 0)
            {
                continue;
            }
            int r = u.Rank;
            double wb = w * u.Scale;
            for (int p = 0; p < u.KeptRows.Length; p++)
            {
                int dst = u.KeptRows[p] * rank;
                for (int j = 0; j < r; j++)
                {
                    bSum[dst + j] += wb * u.B[p * r + j];
                    bWeight[dst + j] += w;
                }
            }
            int kc = u.KeptColumns.Length;
            for (int j = 0; j < r; j++)
            {
                for (int q = 0; q < kc; q++)
                {
                    int dst = j * global.In + u.KeptColumns[q];
                    aSum[dst] += w * u.A[j * kc + q];
                    aWeight[dst] += w;
                }
            }
        }
        Store(bSum, bWeight, global.B);
        Store(aSum, aWeight, global.A);
    }

    private static void Store(double[] sum, double[] weight, float[] destination)
    {
        for (int k = 0; k < destination.Length; k++)
        {
            if (weight[k] > 0)
            {
                destination[k] = (float)(sum[k] / weight[k]);
            }
        }
    }
}
