// All weights of a LLaMA model as named tensors carved from one arena, under Hugging Face tensor names.
// Linear weights are [out, in] as in PyTorch; every layer owns its shapes so pruned layers may differ. qwen2 models add
// q/k/v biases (HF names *.q_proj.bias etc.); a tied model whose file also stores lm_head.weight is handled on load.
using FedSpine.Tensors;

namespace FedSpine.Model;

/// <summary>Shapes of one decoder layer: query heads, key/value heads, FFN channels (head_dim is model-wide).</summary>
public sealed record LayerShape(int Heads, int KvHeads, int FfnChannels);

public sealed class LayerWeights
{
    public required LayerShape Shape { get; init; }
    public required Tensor AttnNorm { get; init; }   // [hidden]
    public required Tensor Wq { get; init; }         // [heads*headDim, hidden]
    public required Tensor Wk { get; init; }         // [kvHeads*headDim, hidden]
    public required Tensor Wv { get; init; }         // [kvHeads*headDim, hidden]
    public Tensor? Bq { get; init; }                 // [heads*headDim], qwen2 only
    public Tensor? Bk { get; init; }                 // [kvHeads*headDim], qwen2 only
    public Tensor? Bv { get; init; }                 // [kvHeads*headDim], qwen2 only
    public required Tensor Wo { get; init; }         // [hidden, heads*headDim]
    public required Tensor FfnNorm { get; init; }    // [hidden]
    public required Tensor Gate { get; init; }       // [ffn, hidden]
    public required Tensor Up { get; init; }         // [ffn, hidden]
    public required Tensor Down { get; init; }       // [hidden, ffn]
}

public sealed partial class LlamaWeights
{
    private readonly Dictionary<string, Tensor> _byName;

    private LlamaWeights(LlamaConfig config, IReadOnlyList<LayerShape> shapes, Dictionary<string, Tensor> byName)
    {
        Config = config;
        _byName = byName;
        TokenEmbedding = byName["model.embed_tokens.weight"];
        FinalNorm = byName["model.norm.weight"];
        LmHead = config.TieWordEmbeddings ? TokenEmbedding : byName["lm_head.weight"];
        var layers = new LayerWeights[shapes.Count];
        for (int i = 0; i < layers.Length; i++)
        {
            string p = $"model.layers.{i}.";
            layers[i] = new LayerWeights
            {
                Shape = shapes[i],
                AttnNorm = byName[p + "input_layernorm.weight"],
                Wq = byName[p + "self_attn.q_proj.weight"],
                Wk = byName[p + "self_attn.k_proj.weight"],
                Wv = byName[p + "self_attn.v_proj.weight"],
                Bq = byName.GetValueOrDefault(p + "self_attn.q_proj.bias"),
                Bk = byName.GetValueOrDefault(p + "self_attn.k_proj.bias"),
                Bv = byName.GetValueOrDefault(p + "self_attn.v_proj.bias"),
                Wo = byName[p + "self_attn.o_proj.weight"],
                FfnNorm = byName[p + "post_attention_layernorm.weight"],
                Gate = byName[p + "mlp.gate_proj.weight"],
                Up = byName[p + "mlp.up_proj.weight"],
                Down = byName[p + "mlp.down_proj.weight"],
            };
        }
        Layers = layers;
    }

    public LlamaConfig Config { get; }
    public Tensor TokenEmbedding { get; }   // [vocab, hidden]
    public Tensor FinalNorm { get; }        // [hidden]
    public Tensor LmHead { get; }           // [vocab, hidden]; the embedding itself when tied
    public IReadOnlyList<LayerWeights> Layers { get; }

    /// <summary>Number of stored parameters (a tied head counted once).</summary>
    public long ParameterCount => Plan(Config, LayerShapes).TotalFloats;

    /// <summary>Every stored tensor under its HF name, in a stable order (a tied lm_head is not listed). Not for weights
    /// held in bf16, whose layer tensors share one scratch.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedTensors
    {
        get
        {
            RequireFp32("listing the tensors");
            return Plan(Config, LayerShapes).Planned.Select(p => new KeyValuePair<string, Tensor>(p.Name, _byName[p.Name]));
        }
    }

    public IReadOnlyList<LayerShape> LayerShapes => Layers.Select(l => l.Shape).ToArray();

    public Tensor? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>A deep copy with the same config and per-layer shapes.</summary>
    public LlamaWeights Clone()
    {
        RequireFp32("copying the weights");
        var copy = Allocate(Config, LayerShapes);
        foreach (var (name, tensor) in NamedTensors)
        {
            tensor.Span.CopyTo(copy._byName[name].Span);
        }
        return copy;
    }

    /// <summary>Zeroed weights for a config, every layer the config's full shape.</summary>
    public static LlamaWeights Allocate(LlamaConfig config) => Allocate(config, UniformShapes(config));

    /// <summary>Zeroed weights with per-layer shapes (pruned models).</summary>
    public static LlamaWeights Allocate(LlamaConfig config, IReadOnlyList<LayerShape> shapes)
    {
        if (shapes.Count != config.NumHiddenLayers)
        {
            throw new ArgumentException($"{shapes.Count} layer shapes for {config.NumHiddenLayers} layers");
        }
        return new LlamaWeights(config, shapes, Plan(config, shapes).Allocate());
    }

    public static LayerShape[] UniformShapes(LlamaConfig config) =>
        Enumerable.Range(0, config.NumHiddenLayers)
            .Select(_ => new LayerShape(config.NumAttentionHeads, config.NumKeyValueHeads, config.IntermediateSize)).ToArray();

    /// <summary>The name and shape of every stored tensor (the shape listing that tests approve).</summary>
    public static TensorArena Plan(LlamaConfig config, IReadOnlyList<LayerShape> shapes)
    {
        int d = config.HiddenSize, hd = config.HeadDim;
        var arena = new TensorArena();
        arena.Add("model.embed_tokens.weight", config.VocabSize, d);
        for (int i = 0; i < shapes.Count; i++)
        {
            var s = shapes[i];
            string p = $"model.layers.{i}.";
            arena.Add(p + "input_layernorm.weight", d);
            arena.Add(p + "self_attn.q_proj.weight", s.Heads * hd, d);
            if (config.HasQkvBias)
            {
                arena.Add(p + "self_attn.q_proj.bias", s.Heads * hd);
            }
            arena.Add(p + "self_attn.k_proj.weight", s.KvHeads * hd, d);
            if (config.HasQkvBias)
            {
                arena.Add(p + "self_attn.k_proj.bias", s.KvHeads * hd);
            }
            arena.Add(p + "self_attn.v_proj.weight", s.KvHeads * hd, d);
            if (config.HasQkvBias)
            {
                arena.Add(p + "self_attn.v_proj.bias", s.KvHeads * hd);
            }
            arena.Add(p + "self_attn.o_proj.weight", d, s.Heads * hd);
            arena.Add(p + "post_attention_layernorm.weight", d);
            arena.Add(p + "mlp.gate_proj.weight", s.FfnChannels, d);
            arena.Add(p + "mlp.up_proj.weight", s.FfnChannels, d);
            arena.Add(p + "mlp.down_proj.weight", d, s.FfnChannels);
        }
        arena.Add("model.norm.weight", d);
        if (!config.TieWordEmbeddings)
        {
            arena.Add("lm_head.weight", config.VocabSize, d);
        }
        return arena;
    }
}
