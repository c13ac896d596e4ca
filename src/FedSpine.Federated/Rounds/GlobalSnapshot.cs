// A copy of the global state (every module's A and B, the head) taken before a round's aggregation: checks the new state
// (every value finite, relative change ||new − old|| / ||old|| within a bound, in factor or product space) and restores it.
namespace FedSpine.Federated.Rounds;

public sealed class GlobalSnapshot
{
    private readonly List<float[]> _copies;   // in GlobalLora.NamedTensors order

    public GlobalSnapshot(GlobalLora global)
    {
        _copies = global.NamedTensors().Select(p => (float[])p.Values.Clone()).ToList();
    }

    /// <summary>The copied tensors, in GlobalLora.NamedTensors order.</summary>
    public IReadOnlyList<float[]> Values => _copies;

    /// <summary>Null when the global state is acceptable after the round; otherwise why it is not.</summary>
    /// <param name="maxChange">Largest allowed ||new − old||₂ / ||old||₂ over all values; 0 = only finiteness is checked.</param>
    /// <param name="productSpace">Measure each module's change on its product B·A (for aggregators that re-factor, whose
    /// factors change basis every round); the head is measured as it is. While every module's B·A is still zero (before
    /// the first accepted round) there is no product to be relative to, and only finiteness is checked.</param>
    public string? Check(GlobalLora global, double maxChange, out double change, bool productSpace = false)
    {
        var tensors = global.NamedTensors();
        for (int t = 0; t < tensors.Count; t++)
        {
            var (name, values) = tensors[t];
            for (int i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i]))
                {
                    change = double.NaN;
                    return $"the aggregated {name} holds a non-finite value ({values[i]}) at index {i}";
                }
            }
        }
        var (diff, old, bounded) = productSpace ? ProductChange(global) : (CoordinateChange(tensors, 0), CoordinateNorm(0), true);
        change = Math.Sqrt(diff) / Math.Max(Math.Sqrt(old), 1e-30);
        return bounded && maxChange > 0 && change > maxChange
            ? $"the global state moved by {change:0.###} of its norm, beyond max_global_change {maxChange:0.###}"
            : null;
    }

    // Σ ||B'A' − BA||² and Σ ||BA||² over the modules (scale is folded into B), then the head coordinate-wise; bounded is
    // false while every module's old product is zero.
    private (double Diff, double Old, bool Bounded) ProductChange(GlobalLora global)
    {
        double diff = 0, old = 0, oldProducts = 0;
        int index = 0;
        foreach (var ((layer, target), m) in global.Modules)   // the order of NamedTensors: A then B per module
        {
            var before = new ModuleFactors(layer, target, m.Rank, _copies[index], _copies[index + 1]);
            var after = new ModuleFactors(layer, target, m.Rank, m.A, m.B);
            double oldNorm = GlobalLora.UpdateNorm(before, m.Rank);
            diff += Square(GlobalLora.ChangeNorm(before, after, m.Rank));
            oldProducts += oldNorm * oldNorm;
            index += 2;
        }
        old = oldProducts;
        var tensors = global.NamedTensors();
        diff += CoordinateChange(tensors, index);
        old += CoordinateNorm(index);
        return (diff, old, oldProducts > 0);
    }

    private static double Square(double x) => x * x;

    // Σ (new − old)² over the tensors from position first on.
    private double CoordinateChange(IReadOnlyList<(string Name, float[] Values)> tensors, int first)
    {
        double diff = 0;
        for (int t = first; t < tensors.Count; t++)
        {
            float[] values = tensors[t].Values, before = _copies[t];
            for (int i = 0; i < values.Length; i++)
            {
                double d = (double)values[i] - before[i];
                diff += d * d;
            }
        }
        return diff;
    }

    // Σ old² over the copies from position first on.
    private double CoordinateNorm(int first)
    {
        double old = 0;
        for (int t = first; t < _copies.Count; t++)
        {
            foreach (float v in _copies[t])
            {
                old += (double)v * v;
            }
        }
        return old;
    }

    /// <summary>Writes the copy back into the global state.</summary>
    public void Restore(GlobalLora global)
    {
        int index = 0;
        foreach (var (_, values) in global.NamedTensors())
        {
            _copies[index++].CopyTo(values, 0);
        }
    }
}
