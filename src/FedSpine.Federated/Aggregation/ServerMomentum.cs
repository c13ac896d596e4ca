// Server momentum (FedAvgM, Hsu et al. 2019) on the global LoRA factors and head: after aggregation the round's change
// Δ = w_agg − w_before feeds a velocity v ← β·v + Δ and the server applies w = w_before + v instead of w_agg.
using FedSpine.Federated.Rounds;

namespace FedSpine.Federated.Aggregation;

public sealed class ServerMomentum
{
    private readonly IReadOnlyList<(string Name, float[] Values)> _velocity;   // one per global tensor, same shapes

    public ServerMomentum(double beta, GlobalLora global)
    {
        if (!(beta > 0 && beta < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(beta), $"server_momentum: must be in (0, 1) to build a velocity (got {beta})");
        }
        Beta = beta;
        _velocity = global.NamedTensors().Select(t => (t.Name, new float[t.Values.Length])).ToList();
    }

    public double Beta { get; }

    /// <summary>The velocity tensors, named as the global tensors they follow (for checkpoints).</summary>
    public IReadOnlyList<(string Name, float[] Values)> Velocity => _velocity;

    /// <summary>Replaces the aggregate by w_before + v. A coordinate the aggregation left bit-identical (no device owned it
    /// this round: pruned away everywhere, or above every device's rank) keeps its value and its velocity.</summary>
    public void Apply(GlobalLora global, GlobalSnapshot before)
    {
        var tensors = global.NamedTensors();
        if (before.Values.Count != tensors.Count)
        {
            throw new ArgumentException($"snapshot has {before.Values.Count} tensors, the global state {tensors.Count}", nameof(before));
        }
        float beta = (float)Beta;
        for (int t = 0; t < tensors.Count; t++)
        {
            float[] w = tensors[t].Values, w0 = before.Values[t], v = _velocity[t].Values;
            for (int i = 0; i < w.Length; i++)
            {
                float change = w[i] - w0[i];
                if (w[i] == w0[i])
                {
                    continue;
                }
                v[i] = beta * v[i] + change;
                w[i] = w0[i] + v[i];
            }
        }
    }
}
