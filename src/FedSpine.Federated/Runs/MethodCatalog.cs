// The methods a run compares, by name: which bandit each device gets (over which arms), whether devices prune to S*,
// and how the server aggregates. fedspine = S-UCB over (step, rank); the rest are the specification's baselines.
using FedSpine.Federated.Bandits;
using FedSpine.Federated.Devices;

namespace FedSpine.Federated.Runs;

/// <param name="Prunes">Whether devices prune to the run's S* (fedit and hetlora stay dense).</param>
/// <param name="BanditFor">The bandit of a device, given its profile and every profile of the run.</param>
/// <param name="ChoosesTargets">Whether the method's devices choose their own final sparsity in per-device sparsity mode
/// (FedSpine only; the baselines keep S* for every device).</param>
public sealed record MethodSpec(string Name, bool Prunes, string Aggregator, Func<DeviceProfile, IReadOnlyList<DeviceProfile>, IBandit> BanditFor)
{
    public bool ChoosesTargets { get; init; }
}

public static class MethodCatalog
{
    public static readonly string[] Names = ["fedspine", "fedit", "hetlora", "uniform-prune", "fedmp", "random"];

    public static MethodSpec Get(string name, RunConfig c)
    {
        var settings = c.BanditSettings();
        var space = new ArmSpace(c.MinStep, c.MaxStep, c.Ranks, c.GridSteps);
        var fixedRank = new ArmSpace(c.MinStep, c.MaxStep, [c.FixedRank], c.GridSteps);
        IBandit Fixed(ArmSpace s, Arm arm) => BanditFactory.Create("fixed", s, settings with { FixedArm = arm });
        MethodSpec spec = name switch
        {
            "fedspine" => new(name, true, "scatter", (_, _) => BanditFactory.Create(c.Bandit, space, settings)) { ChoosesTargets = true },
            "fedit" => new(name, false, "fedavg", (_, _) => Fixed(fixedRank, new Arm(0, c.FixedRank))),
            "hetlora" => new(name, false, "hetlora", (p, all) => Fixed(space, new Arm(0, RankByClass(p, all, c.Ranks)))),
            "uniform-prune" => new(name, true, "scatter", (_, _) => Fixed(fixedRank with { MinStep = 0 }, new Arm(0, c.FixedRank))),
            "fedmp" => new(name, true, "scatter", (_, _) => BanditFactory.Create("ucb1", fixedRank, settings)),
            "random" => new(name, true, "scatter", (_, _) => BanditFactory.Create("random", space, settings)),
            _ => throw new ArgumentException($"methods: unknown method '{name}' (expected one of {string.Join(", ", Names)})"),
        };
        return c.Aggregator is null ? spec : spec with { Aggregator = c.Aggregator };
    }

    /// <summary>HetLoRA's capability ranks: device classes ordered by speed, the fastest class gets the largest rank,
    /// each slower class the next smaller one (the slowest classes share the smallest).</summary>
    public static int RankByClass(DeviceProfile profile, IReadOnlyList<DeviceProfile> all, IReadOnlyList<int> ranks)
    {
        var speeds = all.Select(p => p.FlopsPerSecond).Distinct().OrderDescending().ToList();
        int position = speeds.IndexOf(profile.FlopsPerSecond);
        return ranks[Math.Max(0, ranks.Count - 1 - position)];
    }
}
