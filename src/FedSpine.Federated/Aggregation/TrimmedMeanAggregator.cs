// "trimmed-mean[:β]" (FedTrimmedAvg over ownership): per coordinate of Scale·B̃ and A, the mean of the owners' values after
// dropping floor(β·n) of the n owners from each end (β = 0.2 by default, at least one value kept), unweighted; unowned
// coordinates keep their previous value. The head takes the per-element trimmed mean too.
using System.Globalization;

namespace FedSpine.Federated.Aggregation;

public sealed class TrimmedMeanAggregator : ILoraAggregator
{
    public const double DefaultBeta = 0.2;

    public TrimmedMeanAggregator(double beta = DefaultBeta)
    {
        if (!(beta >= 0 && beta < 0.5))
        {
            throw new ArgumentException($"trimmed-mean: the trimmed share β per end must be in [0, 0.5) (got {beta.ToString(CultureInfo.InvariantCulture)})");
        }
        Beta = beta;
    }

    public double Beta { get; }

    public string Name => "trimmed-mean";

    public void Aggregate(GlobalModule global, IReadOnlyList<DeviceModuleUpdate> updates)
    {
        UpdateValidation.Check(Name, global, updates, rankAtMostGlobal: true);
        if (updates.Count == 0)
        {
            return;
        }
        OwnedCoordinateValues.Apply(updates, AggregationWeights.Samples(updates), global, v => OwnedCoordinateValues.TrimmedMean(v, Beta));
    }

    public void AggregateHead(float[] target, IReadOnlyList<float[]> values, ReadOnlySpan<double> weights) =>
        OwnedCoordinateValues.ApplyDense(CoordinateMedianAggregator.Contributing(values, weights), target, v => OwnedCoordinateValues.TrimmedMean(v, Beta));
}
