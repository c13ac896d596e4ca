// The "random" baseline: a uniform draw (one rng.NextInt) over the grid arms that fit, null when none does. It learns
// nothing, so its state is only its kind.
using FedSpine.Tensors;

namespace FedSpine.Federated.Bandits;

public sealed class RandomArm : IBandit
{
    private readonly IReadOnlyList<Arm> _grid;

    public RandomArm(ArmSpace space, BanditSettings settings)
    {
        space.Validate();
        settings.Validate();
        _grid = space.Grid();
    }

    public string Name => "random";

    public Arm? Select(Rng rng, Func<Arm, bool> fits)
    {
        Arm[] feasible = [.. _grid.Where(fits)];
        return feasible.Length == 0 ? null : feasible[rng.NextInt(feasible.Length)];
    }

    public void Update(Arm played, double reward) => RewardGuard.Check(reward);

    public string SaveState() => BanditJson.Save(new State(Name));

    public void LoadState(string json)
    {
        State state = BanditJson.Load<State>(json, Name);
        BanditJson.Expect(state.Kind == Name, Name, $"it was saved by \"{state.Kind}\"");
    }

    private sealed record State(string Kind);
}
