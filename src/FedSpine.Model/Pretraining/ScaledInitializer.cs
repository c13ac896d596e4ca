// Initialisation for training from scratch (GPT-2 style): every matrix N(0, std), embeddings included; the two
// projections that write into the residual stream (o_proj, down_proj) N(0, std/√(2·layers)); RMSNorm weights 1.
using FedSpine.Tensors;

namespace FedSpine.Model.Pretraining;

public static class ScaledInitializer
{
    public static void Initialize(LlamaWeights weights, float std, Rng rng)
    {
        float residualStd = std / MathF.Sqrt(2f * weights.Config.NumHiddenLayers);
        foreach (var (name, tensor) in weights.NamedTensors)
        {
            if (tensor.Rank == 1)
            {
                tensor.Span.Fill(1f); // input_layernorm, post_attention_layernorm, model.norm
            }
            else if (name.EndsWith(".o_proj.weight", StringComparison.Ordinal) || name.EndsWith(".down_proj.weight", StringComparison.Ordinal))
            {
                rng.FillGaussian(tensor.Span, residualStd);
            }
            else
            {
                rng.FillGaussian(tensor.Span, std);
            }
        }
    }
}
