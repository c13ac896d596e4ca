// The run's LoRA plan, the one place its two rules live: which modules carry adapters, and alpha = scale·rank, so a
// device of any rank applies B·A at the same scale; a device of rank r puts r on every targeted module and 0 elsewhere.
using FedSpine.Model.Lora;

namespace FedSpine.Federated.Rounds;

public sealed record AdapterPlan(IReadOnlyCollection<LoraTarget> Targets, float Scale)
{
    /// <summary>Every module, at the default scale 2 (alpha 16 at rank 8, as PEFT examples use).</summary>
    public static AdapterPlan Default { get; } = new(LoraTargets.All, 2f);

    /// <summary>LoRA alpha of a device training at <paramref name="rank"/>.</summary>
    public float Alpha(int rank) => Scale * rank;

    /// <summary>Rank of each (layer, module) for a device of <paramref name="rank"/>: rank on targets, 0 elsewhere.</summary>
    public Func<int, LoraTarget, int> RankPerModule(int rank) => (_, target) => Targets.Contains(target) ? rank : 0;
}
