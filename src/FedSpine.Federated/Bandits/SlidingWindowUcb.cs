// Sliding-window UCB over ArmSpace.Grid(): statistics come only from the last W plays. A feasible arm absent from the
// window is played first (grid order), else the largest windowed mean + c·sqrt(2 ln min(t, W) / n) (ties: earlier arm).
using FedSpine.Tensors;

namespace FedSpine.Federated.Bandits;

public sealed class SlidingWindowUcb : IBandit
{
    private readonly IReadOnlyList<Arm> _grid;
    private readonly ArmCoordinates _coordinates;
    private readonly int _window;
    private readonly double _exploration;
    private Queue<Play> _plays = new();
    private long _total;

    public SlidingWindowUcb(ArmSpace space, BanditSettings settings)
    {
        space.Validate();
        settings.Validate();
        _grid = space.Grid();
        _coordinates = new ArmCoordinates(space);
        _window = settings.Window;
        _exploration = settings.Exploration;
    }

    public string Name => "swucb";

    public Arm? Select(Rng rng, Func<Arm, bool> fits)
    {
        var counts = new long[_grid.Count];
        var sums = new double[_grid.Count];
        foreach (Play p in _plays)
        {
            counts[p.Arm]++;
            sums[p.Arm] += p.Reward;
        }
        double logT = Math.Log(Math.Max(1, Math.Min(_total, _window)));
        return UcbSelection.Select(_grid, counts, sums, logT, _exploration, fits);
    }

    public void Update(Arm played, double reward)
    {
        RewardGuard.Check(reward);
        _plays.Enqueue(new Play(_coordinates.NearestGridIndex(_grid, played), reward));
        while (_plays.Count > _window)
        {
            _plays.Dequeue();
        }
        _total++;
    }

    public string SaveState() => BanditJson.Save(new State(Name, _window, _total, [.. _plays]));

    public void LoadState(string json)
    {
        State state = BanditJson.Load<State>(json, Name);
        BanditJson.Expect(state.Kind == Name, Name, $"it was saved by \"{state.Kind}\"");
        BanditJson.Expect(state.Window == _window, Name, $"window {state.Window}, expected {_window}");
        BanditJson.Expect(state.Plays is not null && state.Plays.Length <= _window && state.Total >= state.Plays.Length,
            Name, "the window holds more plays than allowed");
        BanditJson.Expect(state.Plays.All(p => p.Arm >= 0 && p.Arm < _grid.Count && double.IsFinite(p.Reward)), Name,
            $"a play names an arm outside the {_grid.Count} grid arms");
        _plays = new Queue<Play>(state.Plays);
        _total = state.Total;
    }

    private sealed record Play(int Arm, double Reward);

    private sealed record State(string Kind, int Window, long Total, Play[] Plays);
}
