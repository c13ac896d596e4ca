// Sparsity reported two ways: the fraction of prunable parameters removed (q,k,v,o,gate,up,down weights) and the
// fraction of all parameters removed (embeddings, norms and an untied LM head included, a tied head counted once).
using FedSpine.Model;

namespace FedSpine.Pruning;

public sealed record SparsityReport(long PrunableOriginal, long PrunableKept, long TotalOriginal, long TotalKept)
{
    public double PrunableSparsity => PrunableOriginal == 0 ? 0 : 1 - (double)PrunableKept / PrunableOriginal;
    public double OverallSparsity => TotalOriginal == 0 ? 0 : 1 - (double)TotalKept / TotalOriginal;

    /// <summary>Counts for a model of <paramref name="config"/> whose layers went from <paramref name="original"/> to
    /// <paramref name="current"/> shapes (pure arithmetic: nothing is allocated).</summary>
    public static SparsityReport Measure(LlamaConfig config, IReadOnlyList<LayerShape> original, IReadOnlyList<LayerShape> current)
    {
        if (original.Count != current.Count)
        {
            throw new ArgumentException($"{original.Count} original layer shapes but {current.Count} current ones");
        }
        return new SparsityReport(Prunable(config, original), Prunable(config, current), Total(config, original), Total(config, current));
    }

    /// <summary>Sparsity of a model pruned by <paramref name="mask"/>.</summary>
    public static SparsityReport Measure(LlamaConfig config, PruningMask mask) => Measure(config, mask.OriginalShapes, mask.Shapes);

    /// <summary>Parameters in q,k,v,o,gate,up,down: head_dim·hidden·(2·heads + 2·kvHeads) + 3·hidden·channels per layer.</summary>
    public static long Prunable(LlamaConfig config, IReadOnlyList<LayerShape> shapes) =>
        shapes.Sum(s => (long)config.HeadDim * config.HiddenSize * (2L * s.Heads + 2L * s.KvHeads) + 3L * config.HiddenSize * s.FfnChannels);

    /// <summary>Every stored parameter of a model with these layer shapes.</summary>
    public static long Total(LlamaConfig config, IReadOnlyList<LayerShape> shapes) =>
        LlamaWeights.Plan(config, shapes).Planned.Sum(p => p.Shape.Aggregate(1L, (n, d) => n * d));

    public override string ToString() =>
        $"{PrunableSparsity:P1} of prunable parameters removed ({PrunableKept:N0} of {PrunableOriginal:N0} kept), " +
        $"{OverallSparsity:P1} of all ({TotalKept:N0} of {TotalOriginal:N0} kept)";
}
