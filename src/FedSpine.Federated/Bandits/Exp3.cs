// EXP3 over ArmSpace.Grid(): p = (1-γ)·w/Σw + γ/K with weights kept as logs (shifted so the largest is 0); arms that
// do not fit get probability 0 and the rest is renormalised. Update adds γ·(r/p)/K to the played arm's log-weight,
// p being the probability it was drawn with.
using FedSpine.Tensors;

namespace FedSpine.Federated.Bandits;

public sealed class Exp3 : IBandit
{
    private readonly IReadOnlyList<Arm> _grid;
    private readonly ArmCoordinates _coordinates;
    private readonly double _gamma;
    private double[] _logWeights;
    private PendingPlay? _pending;

    public Exp3(ArmSpace space, BanditSettings settings)
    {
        space.Validate();
        settings.Validate();
        _grid = space.Grid();
        _coordinates = new ArmCoordinates(space);
        _gamma = settings.Exp3Gamma;
        _logWeights = new double[_grid.Count];
    }

    public string Name => "exp3";

    public Arm? Select(Rng rng, Func<Arm, bool> fits)
    {
        double[] p = Probabilities();
        double total = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (!fits(_grid[i]))
            {
                p[i] = 0;
            }
            total += p[i];
        }
        if (total <= 0)
        {
            _pending = null;
            return null;
        }
        double u = rng.NextDouble() * total;
        int chosen = -1;
        double cumulative = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] <= 0)
            {
                continue;
            }
            chosen = i;
            cumulative += p[i];
            if (u < cumulative)
            {
                break;
            }
        }
        _pending = new PendingPlay(chosen, p[chosen] / total);
        return _grid[chosen];
    }

    public void Update(Arm played, double reward)
    {
        RewardGuard.Check(reward);
        int i = _coordinates.NearestGridIndex(_grid, played);
        double probability = _pending is { } pending && pending.Arm == i ? pending.Probability : Probabilities()[i];
        _logWeights[i] += _gamma * (reward / probability) / _grid.Count;
        double max = _logWeights.Max();
        for (int k = 0; k < _logWeights.Length; k++)
        {
            _logWeights[k] -= max;
        }
        _pending = null;
    }

    public string SaveState() => BanditJson.Save(new State(Name, _gamma, _logWeights, _pending));

    public void LoadState(string json)
    {
        State state = BanditJson.Load<State>(json, Name);
        BanditJson.Expect(state.Kind == Name, Name, $"it was saved by \"{state.Kind}\"");
        BanditJson.Expect(state.Gamma == _gamma, Name, $"gamma {state.Gamma}, expected {_gamma}");
        BanditJson.Expect(state.LogWeights?.Length == _grid.Count && state.LogWeights.All(double.IsFinite), Name,
            $"expected {_grid.Count} finite log-weights");
        BanditJson.Expect(state.Pending is null || (state.Pending.Arm >= 0 && state.Pending.Arm < _grid.Count
            && state.Pending.Probability > 0 && state.Pending.Probability <= 1), Name, "the pending play is invalid");
        _logWeights = state.LogWeights;
        _pending = state.Pending;
    }

    /// <summary>The unrestricted EXP3 distribution over all grid arms.</summary>
    private double[] Probabilities()
    {
        int k = _logWeights.Length;
        double max = _logWeights.Max();
        var p = new double[k];
        double sum = 0;
        for (int i = 0; i < k; i++)
        {
            p[i] = Math.Exp(_logWeights[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < k; i++)
        {
            p[i] = (1 - _gamma) * p[i] / sum + _gamma / k;
        }
        return p;
    }

    private sealed record PendingPlay(int Arm, double Probability);

    private sealed record State(string Kind, double Gamma, double[] LogWeights, PendingPlay? Pending);
}
