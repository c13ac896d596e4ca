// Small random LLaMA models and token batches for model tests (seeded, so every run sees the same numbers).
// Shapes are chosen awkward on purpose: grouped-query heads, heads·headDim ≠ hidden, an odd FFN width.
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Tensors;

namespace FedSpine.Model.Tests;

internal static class TinyModels
{
    public static LlamaConfig Config(bool tied) => new()
    {
        HiddenSize = 24,
        IntermediateSize = 37,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        HeadDim = 8,
        VocabSize = 29,
        MaxPositionEmbeddings = 64,
        TieWordEmbeddings = tied,
    };

    public static LlamaWeights Random(LlamaConfig config, ulong seed, float std = 0.3f)
    {
        var weights = LlamaWeights.Allocate(config);
        var rng = new Rng(seed);
        foreach (var (name, tensor) in weights.NamedTensors)
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal) || name.EndsWith("layernorm.weight", StringComparison.Ordinal))
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

    /// <summary>Adapters with different ranks per module, both factors random (so every gradient path is non-zero).</summary>
    public static LoraWeights RandomLora(LlamaWeights model, ulong seed)
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

    public static (int[] Inputs, int[] Targets) Batch(int batch, int tokens, int vocab, ulong seed)
    {
        var rng = new Rng(seed);
        var inputs = new int[batch * tokens];
        var targets = new int[batch * tokens];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = rng.NextInt(vocab);
            targets[i] = i % 5 == 3 ? -1 : rng.NextInt(vocab);
        }
        return (inputs, targets);
    }
}
