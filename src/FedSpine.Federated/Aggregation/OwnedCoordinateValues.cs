// Gathers, per coordinate of the global factors, the values of the devices that own it (the ownership of "scatter":
// B[row, j] iff row is kept and j < r_i, with Scale_i folded in; A[j, col] iff col is kept and j < r_i), then writes a
// robust combination of them (median, trimmed mean) per coordinate; unowned coordinates keep their previous value.
namespace FedSpine.Federated.Aggregation;

internal static class OwnedCoordinateValues
{
    /// <summary>Combines the owners' values of one coordinate (sorted ascending, at least one) into the new value.</summary>
    public delegate double Combine(ReadOnlySpan<double> sortedValues);

    /// <param name="weights">[updates.Count] device weights; a device with weight 0 owns nothing.</param>
    public static void Apply(IReadOnlyList<DeviceModuleUpdate> updates, ReadOnlySpan<double> weights, GlobalModule global, Combine combine)
    {
        int rank = global.Rank;
        int devices = updates.Count;
        var bValues = new double[global.Out * rank * devices];   // [Out, Rank, devices]: owners first, count in bCount
        var bCount = new int[global.Out * rank];                 // [Out, Rank]
        var aValues = new double[rank * global.In * devices];    // [Rank, In, devices]
        var aCount = new int[rank * global.In];                  // [Rank, In]
        for (int i = 0; i < devices; i++)
        {
            if (weights[i] <= 0)
            {
                continue;
            }
            var u = updates[i];
            int r = u.Rank;
            for (int p = 0; p < u.KeptRows.Length; p++)
            {
                for (int j = 0; j < r; j++)
                {
                    int k = u.KeptRows[p] * rank + j;
                    bValues[k * devices + bCount[k]++] = (double)u.Scale * u.B[p * r + j];
                }
            }
            int kc = u.KeptColumns.Length;
            for (int j = 0; j < r; j++)
            {
                for (int q = 0; q < kc; q++)
                {
                    int k = j * global.In + u.KeptColumns[q];
                    aValues[k * devices + aCount[k]++] = u.A[j * kc + q];
                }
            }
        }
        Store(bValues, bCount, devices, global.B, combine);
        Store(aValues, aCount, devices, global.A, combine);
    }

    /// <summary>The same per-element combination over whole vectors (e.g. the classification head): every device owns
    /// every element.</summary>
    /// <param name="values">[devices] vectors of destination's length.</param>
    public static void ApplyDense(IReadOnlyList<float[]> values, float[] destination, Combine combine)
    {
        if (values.Count == 0)
        {
            return;
        }
        var column = new double[values.Count];   // [devices]
        for (int k = 0; k < destination.Length; k++)
        {
            for (int i = 0; i < values.Count; i++)
            {
                column[i] = values[i][k];
            }
            Array.Sort(column);
            destination[k] = (float)combine(column);
        }
    }

    private static void Store(double[] values, int[] count, int devices, float[] destination, Combine combine)
    {
        for (int k = 0; k < destination.Length; k++)
        {
            if (count[k] == 0)
            {
                continue;
            }
            var owners = values.AsSpan(k * devices, count[k]);
            owners.Sort();
            destination[k] = (float)combine(owners);
        }
    }

    /// <summary>Median of sorted values: the middle one, or the mean of the two middle ones.</summary>
    public static double Median(ReadOnlySpan<double> sorted)
    {
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    /// <summary>Mean of sorted values after dropping floor(beta·n) from each end (at least one value is kept).</summary>
    public static double TrimmedMean(ReadOnlySpan<double> sorted, double beta)
    {
        int n = sorted.Length;
        int cut = Math.Min((int)Math.Floor(beta * n), (n - 1) / 2);
        double sum = 0;
        for (int i = cut; i < n - cut; i++)
        {
            sum += sorted[i];
        }
        return sum / (n - 2 * cut);
    }
}
