// The per-device half of per-device sparsity mode: a discounted UCB over a few offsets of the device's own final sparsity
// in [S*−spread, S*+spread], played each round beside the (step, rank) arm and rewarded with the same reward.

using FedSpine.Tensors;

namespace FedSpine.Federated.Bandits;

public sealed class TargetSparsityBandit
{
    public const int Offsets = 5;

    private readonly double _spread;
    private readonly double _exploration;
    private readonly double _discount;
    private double[] _counts = new double[Offsets];
    private double[] _sums = new double[Offsets];
    private int _last = Offsets / 2;

    public TargetSparsityBandit(double spread, BanditSettings settings)
    {
        settings.Validate();
        _spread = spread;
        _exploration = settings.Exploration;
        _discount = settings.Discount;
    }

    /// <summary>Offset of choice i: evenly spaced from −spread to +spread.</summary>
    public double Offset(int i) => -_spread + 2 * _spread * i / (Offsets - 1);

    /// <summary>The preferred offset from S* this round: an offset not played yet (drawn from rng, so devices do not
    /// explore in lockstep), then the largest discounted mean + c·sqrt(2 ln N / n).</summary>
    public double Select(Rng rng)
    {
        var unplayed = Enumerable.Range(0, Offsets).Where(i => _counts[i] <= 0).ToArray();
        if (unplayed.Length > 0)
        {
            _last = unplayed[rng.NextInt(unplayed.Length)];
            return Offset(_last);
        }
        double total = _counts.Sum();
        double logN = Math.Log(Math.Max(1, total));
        int best = 0;
        double bestValue = double.NegativeInfinity;
        for (int i = 0; i < Offsets; i++)
        {
            double value = _sums[i] / _counts[i] + _exploration * Math.Sqrt(2 * logN / _counts[i]);
            if (value > bestValue)
            {
                bestValue = value;
                best = i;
            }
        }
        _last = best;
        return Offset(best);
    }

    /// <summary>The reward of the last selected offset; older statistics are discounted by γ first.</summary>
    public void Update(double reward)
    {
        RewardGuard.Check(reward);
        for (int i = 0; i < Offsets; i++)
        {
            _counts[i] *= _discount;
            _sums[i] *= _discount;
        }
        _counts[_last] += 1;
        _sums[_last] += reward;
    }

    public string SaveState() => BanditJson.Save(new State("target", _counts, _sums, _last));

    public void LoadState(string json)
    {
        var state = BanditJson.Load<State>(json, "target");
        BanditJson.Expect(state.Counts?.Length == Offsets && state.Sums?.Length == Offsets && state.Last is >= 0 and < Offsets, "target",
            $"expected {Offsets} offsets");
        _counts = state.Counts;
        _sums = state.Sums;
        _last = state.Last;
    }

    private sealed record State(string Kind, double[] Counts, double[] Sums, int Last);
}
