// How query heads are removed under grouped-query attention so every layer keeps k whole, contiguous KV groups of m
// query heads each (the pruned model stays a standard LLaMA). For multi-head attention (m = 1) the rules coincide.
namespace FedSpine.Pruning;

public enum GqaRule
{
    /// <summary>Among the head counts nearest the wanted one (ties keep more heads): keep every KV group with fewer
    /// heads each (SameCountPerGroup) if that reaches it, else drop whole groups (WholeGroups), else both.</summary>
    Auto,

    /// <summary>Keep the same number of query heads in every KV group; all KV heads stay.</summary>
    SameCountPerGroup,

    /// <summary>Remove whole KV groups: a KV head together with all of its query heads.</summary>
    WholeGroups,
}
