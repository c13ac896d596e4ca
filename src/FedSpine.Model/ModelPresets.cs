// Named model shapes used by benchmarks (the same as ../shared/bench/torch_peer.py) and random initialisation
// like that peer's: linear weights N(0, 1/in), embeddings N(0, 1), norm weights 1.
using FedSpine.Tensors;

namespace FedSpine.Model;

public sealed record ModelPreset(string Name, LlamaConfig Config, int Batch, int SeqLen);

public static class ModelPresets
{
    public static readonly ModelPreset Stories260K = new("stories260k", Make(64, 5, 8, 4, 172, 512, 512, tied: true), 8, 256);
    public static readonly ModelPreset Bench30M = new("bench-30m", Make(512, 8, 8, 8, 1376, 4096, 256, tied: true), 4, 256);

    /// <summary>SmolLM2-135M's shape (9 query / 3 KV heads of 64, tied embeddings), with the peer's RoPE theta 10000.</summary>
    public static readonly ModelPreset SmolLM2_135M = new("smollm2-135m", Make(576, 30, 9, 3, 1536, 49152, 2048, tied: true), 2, 256);

    public static IReadOnlyList<ModelPreset> All { get; } = [Stories260K, Bench30M, SmolLM2_135M];

    public static ModelPreset Find(string name) =>
        All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown preset '{name}' (expected {string.Join(", ", All.Select(p => p.Name))})");

    /// <summary>A LLaMA config with head_dim = dim / heads.</summary>
    public static LlamaConfig Make(int dim, int layers, int heads, int kvHeads, int hidden, int vocab, int maxSeq, bool tied) => new()
    {
        HiddenSize = dim,
        NumHiddenLayers = layers,
        NumAttentionHeads = heads,
        NumKeyValueHeads = kvHeads,
        HeadDim = dim / heads,
        IntermediateSize = hidden,
        VocabSize = vocab,
        MaxPositionEmbeddings = maxSeq,
        TieWordEmbeddings = tied,
    };

    /// <summary>Fills weights as the PyTorch peer does: linear N(0, 1/in), embedding N(0, 1), norms 1.</summary>
    public static void RandomInitialize(LlamaWeights weights, Rng rng)
    {
        foreach (var (name, tensor) in weights.NamedTensors)
        {
            RandomValues(name, tensor.Shape.ToArray(), tensor.Span, rng);
        }
    }

    /// <summary>The weights RandomInitialize gives, drawn in the same order, held in bf16 (no fp32 copy of the model).</summary>
    public static LlamaWeights RandomFrozenBf16(LlamaConfig config, Rng rng) =>
        LlamaWeights.FrozenBf16(config, LlamaWeights.UniformShapes(config), (name, shape, destination) => RandomValues(name, shape, destination, rng));

    private static void RandomValues(string name, int[] shape, Span<float> values, Rng rng)
    {
        if (name.EndsWith("norm.weight", StringComparison.Ordinal) || name.EndsWith("layernorm.weight", StringComparison.Ordinal))
        {
            values.Fill(1f);
        }
        else if (name == "model.embed_tokens.weight")
        {
            rng.FillGaussian(values, 1f);
        }
        else
        {
            rng.FillGaussian(values, 1f / MathF.Sqrt(shape[1]));
        }
    }
}
