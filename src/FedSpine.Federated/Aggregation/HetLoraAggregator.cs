// "hetlora": the ownership scatter of "scatter", but each contributing device (positive sample count, or all when none
// has one) weighs ||Scale_i·B_i·A_i||_F, computed in factor space, instead of its sample count; if every norm is 0 the
// sample counts are used.
namespace FedSpine.Federated.Aggregation;

public sealed class HetLoraAggregator : ILoraAggregator
{
    public string Name => "hetlora";

    public void Aggregate(GlobalModule global, IReadOnlyList<DeviceModuleUpdate> updates)
    {
        UpdateValidation.Check(Name, global, updates, rankAtMostGlobal: true);
        if (updates.Count == 0)
        {
            return;
        }
        var norms = new double[updates.Count];
        bool anySamples = updates.Any(u => u.Weight > 0);
        bool anyPositive = false;
        for (int i = 0; i < norms.Length; i++)
        {
            norms[i] = anySamples && updates[i].Weight <= 0 ? 0 : UpdateNorm.Frobenius(updates[i]);
            anyPositive |= norms[i] > 0;
        }
        var weights = anyPositive ? AggregationWeights.Normalise(norms) : AggregationWeights.Samples(updates);
        OwnedFactorAverage.Apply(updates, weights, global);
    }
}
