// How many query heads, KV heads and FFN channels a layer keeps at a pruning ratio. Heads form k kept KV groups of m
// query heads each (always a standard GQA layer); counts never depend on scores, so a schedule's shapes are known up front.
using FedSpine.Model;

namespace FedSpine.Pruning;

public static class UnitCountPlanner
{
    /// <summary>Units kept of <paramref name="count"/> at <paramref name="ratio"/>: round(count·(1 − ratio)), halves rounded up.</summary>
    public static int KeptCount(int count, double ratio) => (int)Math.Round(count * (1 - ratio), MidpointRounding.AwayFromZero);

    /// <summary>The shape a layer (originally <paramref name="original"/>, now <paramref name="current"/>) gets when it
    /// keeps about (1 − ratio) of its original heads and channels; never grows a layer; throws when nothing would remain.
    /// Heads: k KV groups of m query heads, k·m nearest the wanted count (ties keep more heads). Auto prefers, among the
    /// nearest, all groups (SameCountPerGroup), then whole groups (WholeGroups), then both shrunk; the forced rules
    /// allow only their own move. <paramref name="finalRatio"/> (≥ ratio, the schedule's target) steers a gradual
    /// schedule: no step takes k or m below what the final ratio needs, so gradual and one-shot end in the same shape.</summary>
    public static LayerShape Plan(LayerShape original, LayerShape current, double ratio, GqaRule rule, int layer, double? finalRatio = null)
    {
        CheckRatio(ratio);
        int keepHeads = KeptCount(original.Heads, ratio);
        int keepChannels = KeptCount(original.FfnChannels, ratio);
        if (keepHeads < 1)
        {
            throw new ArgumentException($"pruning ratio {ratio:0.####} leaves no attention head in layer {layer} " +
                                        $"(round({original.Heads}·(1 − {ratio:0.####})) = 0); lower the ratio or exclude the layer");
        }
        if (keepChannels < 1)
        {
            throw new ArgumentException($"pruning ratio {ratio:0.####} leaves no FFN channel in layer {layer} " +
                                        $"(round({original.FfnChannels}·(1 − {ratio:0.####})) = 0); lower the ratio or exclude the layer");
        }
        int channels = Math.Min(current.FfnChannels, keepChannels);
        var (minKv, minPerGroup) = (1, 1);
        if (finalRatio is double final && final > ratio)
        {
            var floor = Plan(original, current, final, rule, layer);
            (minKv, minPerGroup) = (floor.KvHeads, floor.Heads / floor.KvHeads);
        }
        var (kv, perGroup) = ChooseGroups(current, keepHeads, rule, minKv, minPerGroup);
        return new LayerShape(kv * perGroup, kv, channels);
    }

    /// <summary>Every layer's shape at global <paramref name="ratio"/> (options give per-layer ratios and exclusions).</summary>
    public static LayerShape[] PlanShapes(IReadOnlyList<LayerShape> original, IReadOnlyList<LayerShape> current, double ratio,
        PruningOptions options, double? finalRatio = null)
    {
        options.Validate(original.Count);
        return Enumerable.Range(0, original.Count)
            .Select(l => Plan(original[l], current[l], options.LayerRatio(l, ratio), options.Gqa, l,
                finalRatio is double f ? options.LayerRatio(l, f) : null)).ToArray();
    }

    public static void CheckRatio(double ratio)
    {
        if (!double.IsFinite(ratio) || ratio < 0 || ratio >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ratio), $"pruning ratio must be in [0, 1) (got {ratio})");
        }
    }

    /// <summary>(KV groups k, query heads per group m) nearest <paramref name="keep"/> heads within the allowed box.</summary>
    private static (int Kv, int PerGroup) ChooseGroups(LayerShape current, int keep, GqaRule rule, int minKv, int minPerGroup)
    {
        int kvNow = current.KvHeads, perGroupNow = current.Heads / current.KvHeads;
        if (keep >= current.Heads)
        {
            return (kvNow, perGroupNow);
        }
        var candidates =
            from k in Enumerable.Range(Math.Min(minKv, kvNow), kvNow - Math.Min(minKv, kvNow) + 1)
            from m in Enumerable.Range(Math.Min(minPerGroup, perGroupNow), perGroupNow - Math.Min(minPerGroup, perGroupNow) + 1)
            where rule switch
            {
                GqaRule.SameCountPerGroup => k == kvNow,
                GqaRule.WholeGroups => m == perGroupNow,
                _ => true,
            }
            select (Kv: k, PerGroup: m, Kind: k == kvNow ? 0 : m == perGroupNow ? 1 : 2);
        return candidates.OrderBy(c => Math.Abs(c.Kv * c.PerGroup - keep)).ThenByDescending(c => c.Kv * c.PerGroup)
            .ThenBy(c => c.Kind).ThenByDescending(c => c.Kv).Select(c => (c.Kv, c.PerGroup)).First();
    }
}
