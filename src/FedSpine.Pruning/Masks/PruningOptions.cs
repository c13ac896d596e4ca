// Where and how much to prune: the GQA rule, layers left whole, and per-layer multipliers of the global ratio.
// Defaults (same ratio everywhere, no exclusions) keep the pruned model a standard LLaMA with one shape for all layers.
namespace FedSpine.Pruning;

public sealed record PruningOptions
{
    public GqaRule Gqa { get; init; } = GqaRule.Auto;

    /// <summary>Layers never pruned (e.g. the first and last).</summary>
    public IReadOnlyList<int> ExcludedLayers { get; init; } = [];

    /// <summary>Layer → multiplier of the global ratio (a layer's ratio is scale·ratio); layers not listed use 1.
    /// A per-layer target T_l under global target S* is the scale T_l / S*.</summary>
    public IReadOnlyDictionary<int, double> LayerRatioScales { get; init; } = new Dictionary<int, double>();

    /// <summary>Options that leave the first and last of <paramref name="layerCount"/> layers whole.</summary>
    public static PruningOptions FirstAndLastExcluded(int layerCount) => new() { ExcludedLayers = [0, layerCount - 1] };

    /// <summary>The fraction of heads and of channels layer <paramref name="layer"/> loses at global ratio <paramref name="ratio"/>.</summary>
    public double LayerRatio(int layer, double ratio) =>
        ExcludedLayers.Contains(layer) ? 0 : ratio * LayerRatioScales.GetValueOrDefault(layer, 1.0);

    public void Validate(int layerCount)
    {
        foreach (int l in ExcludedLayers)
        {
            if ((uint)l >= (uint)layerCount)
            {
                throw new ArgumentException($"excluded layer {l} does not exist (the model has layers 0..{layerCount - 1})");
            }
        }
        foreach (var (l, scale) in LayerRatioScales)
        {
            if ((uint)l >= (uint)layerCount)
            {
                throw new ArgumentException($"ratio scale given for layer {l}, which does not exist (the model has layers 0..{layerCount - 1})");
            }
            if (!double.IsFinite(scale) || scale < 0)
            {
                throw new ArgumentException($"ratio scale of layer {l} must be a finite number ≥ 0 (got {scale})");
            }
        }
    }
}
