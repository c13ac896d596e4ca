// Weight-magnitude importance: I = |W + s·B·A| (just |W| without an adapter), summed per unit like the other criteria;
// needs no gradients, so it can score a model before any training step.
using System.Numerics.Tensors;
using FedSpine.Model.Lora;

namespace FedSpine.Pruning;

public sealed class MagnitudeImportance : ModuleImportanceEstimator
{
    public override string Name => "magnitude";
    public override bool NeedsLoraGradients => false;
    public override bool NeedsBaseGradients => false;

    protected override bool CanScore(LoraWeights? lora, int layer, LoraTarget target) => true;

    protected override void CheckContext(ImportanceContext context)
    {
    }

    protected override void ScoreRows(ModuleView module, int row0, int rows, ReadOnlySpan<float> effective, Span<float> dest) =>
        TensorPrimitives.Abs(effective, dest);
}
