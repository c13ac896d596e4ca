// Chooses which units go: for every layer, the planned counts (UnitCountPlanner) filled with the highest-scoring units
// still kept; the result is a subset of the current mask. Ties keep the lower index, so selection is deterministic.
using FedSpine.Model;

namespace FedSpine.Pruning;

public static class MaskSelector
{
    /// <summary>The mask after pruning <paramref name="current"/> to global <paramref name="ratio"/> (fraction of each
    /// layer's original heads and channels removed; options give per-layer ratios, exclusions and the GQA rule).
    /// <paramref name="finalRatio"/>: the target a gradual schedule is heading for (see UnitCountPlanner.Plan).</summary>
    public static PruningMask Select(PruningMask current, ImportanceTracker importance, double ratio, PruningOptions options, double? finalRatio = null)
    {
        options.Validate(current.Layers.Count);
        if (importance.Heads.Count != current.Layers.Count)
        {
            throw new ArgumentException($"importance covers {importance.Heads.Count} layers, the mask {current.Layers.Count}");
        }
        var layers = new LayerMask[current.Layers.Count];
        for (int l = 0; l < layers.Length; l++)
        {
            var mask = current.Layers[l];
            var shape = UnitCountPlanner.Plan(mask.OriginalShape, mask.Shape, options.LayerRatio(l, ratio), options.Gqa, l,
                finalRatio is double f ? options.LayerRatio(l, f) : null);
            var heads = SelectHeads(mask, importance.Heads[l], shape);
            var channels = TopByScore(mask.Channels, importance.Channels[l], shape.FfnChannels);
            layers[l] = new LayerMask(mask.OriginalHeads, mask.OriginalKvHeads, mask.OriginalChannels, heads, channels);
        }
        return new PruningMask(layers);
    }

    /// <summary>The best m = heads/kv query heads of every current KV group, then the k = kv groups whose kept heads
    /// score highest (the most total score any k groups of m heads can keep).</summary>
    private static int[] SelectHeads(LayerMask mask, float[] scores, LayerShape shape)
    {
        int perGroup = shape.Heads / shape.KvHeads;
        var kept = mask.Heads.GroupBy(h => h / mask.OriginalGroupSize)
            .Select((g, index) => (Index: index, Heads: TopByScore(g.ToArray(), scores, perGroup)))
            .OrderByDescending(g => g.Heads.Sum(h => (double)scores[h])).ThenBy(g => g.Index)
            .Take(shape.KvHeads).SelectMany(g => g.Heads).ToArray();
        Array.Sort(kept);
        return kept;
    }

    /// <summary>The <paramref name="count"/> highest-scoring of <paramref name="units"/> (original indices), ascending.</summary>
    private static int[] TopByScore(IReadOnlyList<int> units, float[] scores, int count)
    {
        var top = units.OrderByDescending(u => scores[u]).ThenBy(u => u).Take(count).ToArray();
        Array.Sort(top);
        return top;
    }
}
