// "scatter" (default): each device's Scale·B and A placed at its kept rows/columns and rank slots 0..r_i-1, then a
// sample-weighted average per coordinate over the devices owning it; unowned coordinates keep the previous value.
namespace FedSpine.Federated.Aggregation;

public sealed class MaskAwareAverage : ILoraAggregator
{
    public string Name => "scatter";

    public void Aggregate(GlobalModule global, IReadOnlyList<DeviceModuleUpdate> updates)
    {
        UpdateValidation.Check(Name, global, updates, rankAtMostGlobal: true);
        if (updates.Count == 0)
        {
            return;
        }
        OwnedFactorAverage.Apply(updates, AggregationWeights.Samples(updates), global);
    }
}
