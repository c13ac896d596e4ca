// A copy of the global state (every module's A and B, the head) taken before a round's aggregation: checks the new state
// (every value finite, relative change ||new − old|| / ||old|| within a bound) and restores the copy to roll the round back.
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
    public string? Check(GlobalLora global, double maxChange, out double change)
    {
        double diff = 0, old = 0;
        int index = 0;
        foreach (var (name, values) in global.NamedTensors())
        {
            var before = _copies[index++];
            for (int i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i]))
                {
                    change = double.NaN;
                    return $"the aggregated {name} holds a non-finite value ({values[i]}) at index {i}";
                }
                double d = (double)values[i] - before[i];
                diff += d * d;
                old += (double)before[i] * before[i];
            }
        }
        change = Math.Sqrt(diff) / Math.Max(Math.Sqrt(old), 1e-30);
        return maxChange > 0 && change > maxChange
            ? $"the global state moved by {change:0.###} of its norm, beyond max_global_change {maxChange:0.###}"
            : null;
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
