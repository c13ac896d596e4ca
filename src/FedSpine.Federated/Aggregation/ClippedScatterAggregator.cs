// "clipped-scatter[:τ]": "scatter" (the averages of the factors) after bounding each device's factors: ||Scale_i·B_i||_F and
// ||A_i||_F are each scaled down to τ × the median of that factor's norms over the module's contributing devices (τ = 2 by
// default). The head: each device's change against the current head is clipped the same way, then sample-weighted.
using System.Globalization;

namespace FedSpine.Federated.Aggregation;

public sealed class ClippedScatterAggregator : ILoraAggregator
{
    public const double DefaultMultiple = 2;

    public ClippedScatterAggregator(double multiple = DefaultMultiple)
    {
        if (!(multiple >= 1 && double.IsFinite(multiple)))
        {
            throw new ArgumentException($"clipped-scatter: the clipping multiple τ of the median norm must be at least 1 (got {multiple.ToString(CultureInfo.InvariantCulture)})");
        }
        Multiple = multiple;
    }

    public double Multiple { get; }

    public string Name => "clipped-scatter";

    public void Aggregate(GlobalModule global, IReadOnlyList<DeviceModuleUpdate> updates)
    {
        UpdateValidation.Check(Name, global, updates, rankAtMostGlobal: true);
        if (updates.Count == 0)
        {
            return;
        }
        var weights = AggregationWeights.Samples(updates);
        var bNorms = updates.Select(u => Math.Abs((double)u.Scale) * Norm(u.B)).ToArray();
        var aNorms = updates.Select(u => Norm(u.A)).ToArray();
        var bFactors = ClipFactors(bNorms, weights, Multiple);
        var aFactors = ClipFactors(aNorms, weights, Multiple);
        var clipped = updates.Select((u, i) => bFactors[i] < 1 || aFactors[i] < 1
            ? u with { Scale = (float)(u.Scale * bFactors[i]), A = aFactors[i] < 1 ? u.A.Select(v => (float)(v * aFactors[i])).ToArray() : u.A }
            : u).ToList();
        OwnedFactorAverage.Apply(clipped, weights, global);
    }

    private static double Norm(float[] values)
    {
        double sum = 0;
        foreach (float v in values)
        {
            sum += (double)v * v;
        }
        return Math.Sqrt(sum);
    }

    public void AggregateHead(float[] target, IReadOnlyList<float[]> values, ReadOnlySpan<double> weights)
    {
        var norms = new double[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            double sum = 0;
            for (int k = 0; k < target.Length; k++)
            {
                double d = (double)values[i][k] - target[k];
                sum += d * d;
            }
            norms[i] = Math.Sqrt(sum);
        }
        var factors = ClipFactors(norms, weights, Multiple);
        double total = 0;
        for (int i = 0; i < values.Count; i++)
        {
            total += weights[i];
        }
        var sums = new double[target.Length];
        for (int i = 0; i < values.Count; i++)
        {
            double w = total > 0 ? weights[i] / total : 1.0 / values.Count;
            for (int k = 0; k < target.Length; k++)
            {
                sums[k] += w * factors[i] * ((double)values[i][k] - target[k]);
            }
        }
        for (int k = 0; k < target.Length; k++)
        {
            target[k] = (float)(target[k] + sums[k]);
        }
    }

    /// <summary>min(1, τ·median / norm_i) per device, the median over devices with positive weight (all when none has);
    /// 1 where the norm is 0.</summary>
    internal static double[] ClipFactors(ReadOnlySpan<double> norms, ReadOnlySpan<double> weights, double multiple)
    {
        var counted = new List<double>();
        bool any = false;
        foreach (double w in weights)
        {
            any |= w > 0;
        }
        for (int i = 0; i < norms.Length; i++)
        {
            if (!any || weights[i] > 0)
            {
                counted.Add(norms[i]);
            }
        }
        var sorted = counted.Order().ToArray();
        double bound = multiple * OwnedCoordinateValues.Median(sorted);
        var factors = new double[norms.Length];
        for (int i = 0; i < norms.Length; i++)
        {
            factors[i] = norms[i] > bound ? bound / norms[i] : 1;
        }
        return factors;
    }
}
