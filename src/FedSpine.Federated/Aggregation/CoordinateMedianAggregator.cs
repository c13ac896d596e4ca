// "median" (FedMedian over ownership): per coordinate of Scale·B̃ and A, the median of the values of the devices that own
// it (kept row/column and rank slot j < r_i), unweighted; unowned coordinates keep their previous value. The head takes
// the per-element median too. One hostile device among three or more owners cannot move a coordinate past the honest range.
namespace FedSpine.Federated.Aggregation;

public sealed class CoordinateMedianAggregator : ILoraAggregator
{
    public string Name => "median";

    public void Aggregate(GlobalModule global, IReadOnlyList<DeviceModuleUpdate> updates)
    {
        UpdateValidation.Check(Name, global, updates, rankAtMostGlobal: true);
        if (updates.Count == 0)
        {
            return;
        }
        OwnedCoordinateValues.Apply(updates, AggregationWeights.Samples(updates), global, OwnedCoordinateValues.Median);
    }

    public void AggregateHead(float[] target, IReadOnlyList<float[]> values, ReadOnlySpan<double> weights) =>
        OwnedCoordinateValues.ApplyDense(Contributing(values, weights), target, OwnedCoordinateValues.Median);

    internal static List<float[]> Contributing(IReadOnlyList<float[]> values, ReadOnlySpan<double> weights)
    {
        var kept = new List<float[]>(values.Count);
        bool any = false;
        foreach (double w in weights)
        {
            any |= w > 0;
        }
        for (int i = 0; i < values.Count; i++)
        {
            if (!any || weights[i] > 0)
            {
                kept.Add(values[i]);
            }
        }
        return kept;
    }
}
