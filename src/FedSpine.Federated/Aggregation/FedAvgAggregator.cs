// "fedavg" (FedIT): sample-weighted average of the zero-padded scattered factors over all devices (Σ w_i = 1, no
// ownership): B[row, j] = Σ_i w_i·Scale_i·B̃_i[row, j], zeros where device i has no such row or rank slot; same for A.
namespace FedSpine.Federated.Aggregation;

public sealed class FedAvgAggregator : ILoraAggregator
{
    public string Name => "fedavg";

    public void Aggregate(GlobalModule global, IReadOnlyList<DeviceModuleUpdate> updates)
    {
        UpdateValidation.Check(Name, global, updates, rankAtMostGlobal: true);
        if (updates.Count == 0)
        {
            return;
        }
        var weights = AggregationWeights.Samples(updates);
        int rank = global.Rank;
        var b = new double[global.Out * rank];   // [Out, Rank]
        var a = new double[rank * global.In];    // [Rank, In]
        for (int i = 0; i < updates.Count; i++)
        {
            var u = updates[i];
            int r = u.Rank;
            double wb = weights[i] * u.Scale;
            for (int p = 0; p < u.KeptRows.Length; p++)
            {
                int dst = u.KeptRows[p] * rank;
                for (int j = 0; j < r; j++)
                {
                    b[dst + j] += wb * u.B[p * r + j];
                }
            }
            int kc = u.KeptColumns.Length;
            for (int j = 0; j < r; j++)
            {
                for (int q = 0; q < kc; q++)
                {
                    a[j * global.In + u.KeptColumns[q]] += weights[i] * u.A[j * kc + q];
                }
            }
        }
        for (int k = 0; k < b.Length; k++)
        {
            global.B[k] = (float)b[k];
        }
        for (int k = 0; k < a.Length; k++)
        {
            global.A[k] = (float)a[k];
        }
    }
}
