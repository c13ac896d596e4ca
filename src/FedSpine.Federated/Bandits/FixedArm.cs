// The "fixed" baseline: always settings.FixedArm (default MinStep with the middle rank, lower middle for an even
// count); when it does not fit, the same step with the largest allowed rank below it that fits, else null. Stateless.
using FedSpine.Tensors;

namespace FedSpine.Federated.Bandits;

public sealed class FixedArm : IBandit
{
    private readonly ArmSpace _space;

    public FixedArm(ArmSpace space, BanditSettings settings)
    {
        space.Validate();
        settings.Validate();
        _space = space;
        Arm = settings.FixedArm ?? new Arm(space.MinStep, space.Ranks[(space.Ranks.Count - 1) / 2]);
    }

    public string Name => "fixed";

    /// <summary>The configured arm.</summary>
    public Arm Arm { get; }

    public Arm? Select(Rng rng, Func<Arm, bool> fits)
    {
        if (fits(Arm))
        {
            return Arm;
        }
        foreach (int rank in _space.Ranks.Where(r => r < Arm.Rank).OrderDescending())
        {
            var arm = new Arm(Arm.PruneStep, rank);
            if (fits(arm))
            {
                return arm;
            }
        }
        return null;
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
