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

    public static LlamaWeights Random(LlamaConfig config, ulong seed, float std = 0.3f) => RandomModels.Weights(config, seed, std);

    public static LoraWeights RandomLora(LlamaWeights model, ulong seed) => RandomModels.Lora(model, seed);

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
