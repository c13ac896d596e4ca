// An aggregation strategy: folds the devices' updates of one module into the global module, in place, and the devices'
// heads into the global head. Updates are already validated (finite, shapes consistent, indices in range); an empty
// list leaves the module unchanged.
namespace FedSpine.Federated.Aggregation;

public interface ILoraAggregator
{
    /// <summary>Name as selected in run configs (see Aggregators.Names).</summary>
    string Name { get; }

    /// <summary>True when the aggregate is a fresh factorization of the averaged product (flexlora, factor-svd): its A and
    /// B change basis from round to round, so only B·A is comparable across rounds (the change bound is measured on it and
    /// coordinate-wise server momentum is refused).</summary>
    bool Refactors => false;

    void Aggregate(GlobalModule global, IReadOnlyList<DeviceModuleUpdate> updates);

    /// <summary>Folds the devices' copies of a dense vector (the classification head) into target; by default the
    /// weighted average (weights normalised here; equal when all are 0).</summary>
    /// <param name="values">[devices] vectors of target's length.</param>
    /// <param name="weights">[devices] sample-count weights.</param>
    void AggregateHead(float[] target, IReadOnlyList<float[]> values, ReadOnlySpan<double> weights)
    {
        if (values.Count == 0)
        {
            return;
        }
        var normalised = AggregationWeights.Normalise(weights);
        var sum = new double[target.Length];   // [target.Length]
        for (int i = 0; i < values.Count; i++)
        {
            for (int k = 0; k < sum.Length; k++)
            {
                sum[k] += normalised[i] * values[i][k];
            }
        }
        for (int k = 0; k < sum.Length; k++)
        {
            target[k] = (float)sum[k];
        }
    }
}
