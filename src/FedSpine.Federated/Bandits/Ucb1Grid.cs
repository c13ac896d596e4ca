// UCB1 over ArmSpace.Grid(): each feasible arm is played once in grid order, then the feasible arm with the largest
// mean + c·sqrt(2 ln t / n) (c = settings.Exploration, 1 = classic; t = all plays; ties to the earlier grid arm).
using FedSpine.Tensors;

namespace FedSpine.Federated.Bandits;

public sealed class Ucb1Grid : IBandit
{
    private readonly IReadOnlyList<Arm> _grid;
    private readonly ArmCoordinates _coordinates;
    private readonly double _exploration;
    private long[] _counts;
    private double[] _sums;

    public Ucb1Grid(ArmSpace space, BanditSettings settings)
    {
        space.Validate();
        settings.Validate();
        _grid = space.Grid();
        _coordinates = new ArmCoordinates(space);
        _exploration = settings.Exploration;
        _counts = new long[_grid.Count];
        _sums = new double[_grid.Count];
    }

    public string Name => "ucb1";

    public Arm? Select(Rng rng, Func<Arm, bool> fits)
    {
        double logT = Math.Log(Math.Max(1, _counts.Sum()));
        return UcbSelection.Select(_grid, _counts, _sums, logT, _exploration, fits);
    }

    public void Update(Arm played, double reward)
    {
        RewardGuard.Check(reward);
        int i = _coordinates.NearestGridIndex(_grid, played);
        _counts[i]++;
        _sums[i] += reward;
    }

    public string SaveState() => BanditJson.Save(new State(Name, _counts, _sums));

    public void LoadState(string json)
    {
        State state = BanditJson.Load<State>(json, Name);
        BanditJson.Expect(state.Kind == Name, Name, $"it was saved by \"{state.Kind}\"");
        BanditJson.Expect(state.Counts?.Length == _grid.Count && state.Sums?.Length == _grid.Count, Name,
            $"expected {_grid.Count} grid arms");
        BanditJson.Expect(state.Counts.All(c => c >= 0) && state.Sums.All(double.IsFinite), Name, "a count or sum is invalid");
        _counts = state.Counts;
        _sums = state.Sums;
    }

    private sealed record State(string Kind, long[] Counts, double[] Sums);
}
