// Seeded random LLaMA weights and LoRA adapters for tests: linear weights N(0, std²), norm weights 1 + 0.2·N(0, 1),
// adapters with a different rank per module and both factors random, so every gradient path is non-zero.
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Tensors;

namespace FedSpine.TestSupport;

public static class RandomModels
{
    public static LlamaWeights Weights(LlamaConfig config, ulong seed, float std = 0.3f)
    {
        var weights = LlamaWeights.Allocate(config);
        var rng = new Rng(seed);
        foreach (var (name, tensor) in weights.NamedTensors)
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal))
            {
                var s = tensor.Span;
                for (int i = 0; i < s.Length; i++)
                {
                    s[i] = 1f + 0.2f * rng.NextGaussian();
                }
            }
            else
            {
                rng.FillGaussian(tensor.Span, std);
            }
        }
        return weights;
    }

    /// <summary>Adapters on every module, ranks cycling through 3, 2, 1, 4, 2, 3, 2 by module and layer, alpha 6.</summary>
    public static LoraWeights Lora(LlamaWeights model, ulong seed)
    {
        int[] ranks = [3, 2, 1, 4, 2, 3, 2];
        var lora = LoraWeights.Allocate(model.Config, model.LayerShapes, (l, t) => ranks[((int)t + l) % ranks.Length], alpha: 6f);
        var rng = new Rng(seed);
        foreach (var (_, _, _, a) in lora.Adapters)
        {
            rng.FillGaussian(a.A.Span, 0.3f);
            rng.FillGaussian(a.B.Span, 0.3f);
        }
        return lora;
    }
}
