// LoRAPrune's criterion (the default): importance from LoRA gradients only, I = |Ĝ ⊙ (W + s·B·A)| with
// Ĝ = s·(G_B·A + B·G_A − G_B·G_A), G_A and G_B the step's gradients of the loss w.r.t. the stored factors A and B.
//
// Derivation (s = alpha / r). The module computes y = x·(W + Δ)ᵀ with the effective delta Δ = s·B·A. Let
// D = ∂L/∂(W + Δ), the gradient w.r.t. the effective weight (what Taylor's |W ⊙ D| needs, and what a frozen base never
// gets). The chain rule through Δ gives the factor gradients the engine produces: G_B = s·D·Aᵀ and G_A = s·Bᵀ·D.
// LoRAPrune estimates D by how one unit-rate gradient step on the factors moves the effective weight: B·A becomes
// (B − G_B)(A − G_A), so Δ moves by s·[(B − G_B)(A − G_A) − B·A] = −s·(G_B·A + B·G_A − G_B·G_A), and the estimate is the
// negative of that move, Ĝ = s·(G_B·A + B·G_A − G_B·G_A) (to first order s²·(D·AᵀA + B·Bᵀ·D): D seen through the
// adapter's row and column spaces). With s = 1 this is FEDSPINE.md's G exactly; s enters once, as the scale of the
// same delta the forward pass applies, and Ĝ multiplies the effective weight W + s·B·A (what pruning a row or column
// really removes). A constant per module cancels in the per-module L2 normalisation; s matters for raw ModuleScores.
// Computed per row block as Ĝ = s·[G_B·A + (B − G_B)·G_A]: two GEMMs, never a whole [out, in] buffer at once.
using System.Numerics.Tensors;
using FedSpine.Model.Lora;
using FedSpine.Tensors;

namespace FedSpine.Pruning;

/// <param name="rowModulesOnly">"lora-rows": score heads and FFN channels through their row modules only (q, k, v, gate,
/// up), leaving out the column modules o and down, whose LoRA-estimated gradients ranked units poorly against Taylor.</param>
public sealed class LoraGradientImportance(bool rowModulesOnly = false) : ModuleImportanceEstimator
{
    public override string Name => rowModulesOnly ? "lora-rows" : "lora";
    public override bool NeedsLoraGradients => true;
    public override bool NeedsBaseGradients => false;

    protected override bool CanScore(LoraWeights? lora, int layer, LoraTarget target) =>
        lora?[layer, target] is not null && !(rowModulesOnly && target is LoraTarget.O or LoraTarget.Down);

    protected override void CheckContext(ImportanceContext context)
    {
        if (context.Lora is null || context.LoraGrads is null)
        {
            throw new ArgumentException("lora importance needs the adapters and their gradients from a backward pass (ImportanceContext.Lora and LoraGrads)");
        }
    }

    protected override void ScoreRows(ModuleView module, int row0, int rows, ReadOnlySpan<float> effective, Span<float> dest)
    {
        var a = module.Adapter!;
        var d = module.DAdapter ?? throw new ArgumentException($"layer {module.Layer} {module.Target.ShortName()}: no gradient for its adapter");
        int r = a.Rank, inDim = module.In;
        float s = a.Scale;
        var bRows = a.B.Span.Slice(row0 * r, rows * r);     // [rows, r]  B
        var dBRows = d.B.Span.Slice(row0 * r, rows * r);    // [rows, r]  G_B
        var bMinusDb = new float[rows * r];                 // [rows, r]  B − G_B
        TensorPrimitives.Subtract(bRows, dBRows, bMinusDb);
        // dest [rows, in] = s·G_B·A + s·(B − G_B)·G_A, with A [r, in] and G_A [r, in]
        Gemm.Multiply(false, false, rows, inDim, r, s, dBRows, r, a.A.Span, inDim, 0f, dest, inDim);
        Gemm.Multiply(false, false, rows, inDim, r, s, bMinusDb, r, d.A.Span, inDim, 1f, dest, inDim);
        TensorPrimitives.Multiply(dest, effective, dest);
        TensorPrimitives.Abs(dest, dest);
    }
}
