// Normalises raw device weights (sample counts or update norms) to sum 1 in update order; when every raw weight is 0
// each device counts equally. A device whose normalised weight is 0 contributes nothing and owns no coordinate.
namespace FedSpine.Federated.Aggregation;

internal static class AggregationWeights
{
    /// <returns>[updates.Count] weights summing to 1.</returns>
    public static double[] Normalise(ReadOnlySpan<double> raw)
    {
        var weights = new double[raw.Length];
        double sum = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            sum += raw[i];
        }
        for (int i = 0; i < raw.Length; i++)
        {
            weights[i] = sum > 0 ? raw[i] / sum : 1.0 / raw.Length;
        }
        return weights;
    }

    /// <returns>[updates.Count] sample-count weights (update.Weight) summing to 1.</returns>
    public static double[] Samples(IReadOnlyList<DeviceModuleUpdate> updates)
    {
        var raw = new double[updates.Count];
        for (int i = 0; i < raw.Length; i++)
        {
            raw[i] = updates[i].Weight;
        }
        return Normalise(raw);
    }
}
