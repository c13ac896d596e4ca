// First-order Taylor importance (LLM-Pruner): I = |W_eff ⊙ ∂L/∂W| with W_eff = W + s·B·A (just W without an adapter),
// the loss change to first order when the element is removed; needs base-weight gradients (∂L/∂W = ∂L/∂W_eff).
using System.Numerics.Tensors;
using FedSpine.Model.Lora;

namespace FedSpine.Pruning;

public sealed class TaylorImportance : ModuleImportanceEstimator
{
    public override string Name => "taylor";
    public override bool NeedsLoraGradients => false;
    public override bool NeedsBaseGradients => true;

    protected override bool CanScore(LoraWeights? lora, int layer, LoraTarget target) => true;

    protected override void CheckContext(ImportanceContext context)
    {
        if (context.BaseGrads is null)
        {
            throw new ArgumentException("taylor importance needs base-weight gradients from a backward pass (ImportanceContext.BaseGrads)");
        }
    }

    protected override void ScoreRows(ModuleView module, int row0, int rows, ReadOnlySpan<float> effective, Span<float> dest)
    {
        var dW = module.DWeight!.Span.Slice(row0 * module.In, rows * module.In);   // [rows, in]
        TensorPrimitives.Multiply(effective, dW, dest);
        TensorPrimitives.Abs(dest, dest);
    }
}
