// The LLaMA-family architecture (model_type llama, mistral, qwen2) as Hugging Face's config.json names it; read and
// written as that file. head_dim is explicit so pruned models (fewer heads, same head size) stay standard.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FedSpine.Model;

public sealed record LlamaConfig
{
    [JsonPropertyName("architectures")] public string[] Architectures { get; init; } = ["LlamaForCausalLM"];
    [JsonPropertyName("model_type")] public string ModelType { get; init; } = "llama";
    [JsonPropertyName("hidden_size")] public int HiddenSize { get; init; }
    [JsonPropertyName("intermediate_size")] public int IntermediateSize { get; init; }
    [JsonPropertyName("num_hidden_layers")] public int NumHiddenLayers { get; init; }
    [JsonPropertyName("num_attention_heads")] public int NumAttentionHeads { get; init; }
    [JsonPropertyName("num_key_value_heads")] public int NumKeyValueHeads { get; init; }
    [JsonPropertyName("head_dim")] public int HeadDim { get; init; }
    [JsonPropertyName("vocab_size")] public int VocabSize { get; init; }
    [JsonPropertyName("max_position_embeddings")] public int MaxPositionEmbeddings { get; init; } = 2048;
    [JsonPropertyName("rms_norm_eps")] public float RmsNormEps { get; init; } = 1e-5f;
    [JsonPropertyName("rope_theta")] public float RopeTheta { get; init; } = 10000f;
    [JsonPropertyName("tie_word_embeddings")] public bool TieWordEmbeddings { get; init; }
    [JsonPropertyName("bos_token_id")] public int BosTokenId { get; init; } = 1;
    /// <summary>eos_token_id: one id or, as Llama 3 Instruct configs write it, a list of ids.</summary>
    [JsonPropertyName("eos_token_id")]
    [JsonConverter(typeof(TokenIdListJsonConverter))]
    public IReadOnlyList<int> EosTokenIds { get; init; } = [2];

    /// <summary>The first eos id (the one a tokenizer appends); setting it makes it the only one.</summary>
    [JsonIgnore]
    public int EosTokenId
    {
        get => EosTokenIds.Count > 0 ? EosTokenIds[0] : -1;
        init => EosTokenIds = [value];
    }

    [JsonPropertyName("rope_scaling")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RopeScaling? RopeScaling { get; init; }

    /// <summary>Mistral's attention window (a query sees itself and the window − 1 keys before it); qwen2 stores one
    /// that only counts with use_sliding_window, which is refused. HF's MistralConfig defaults it to 4096 when absent.</summary>
    [JsonPropertyName("sliding_window")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? SlidingWindow { get; init; }

    /// <summary>Every other config.json key, kept so a config round-trips; the ones that would change the maths are
    /// checked by Validate (ConfigKeyCheck).</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? OtherKeys { get; init; }
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "silu";
    [JsonPropertyName("attention_bias")] public bool AttentionBias { get; init; }
    [JsonPropertyName("mlp_bias")] public bool MlpBias { get; init; }
    [JsonPropertyName("torch_dtype")] public string TorchDtype { get; init; } = "float32";

    /// <summary>Query projection width: heads × head_dim (need not equal hidden_size once heads are pruned).</summary>
    [JsonIgnore] public int QueryDim => NumAttentionHeads * HeadDim;
    [JsonIgnore] public int KeyValueDim => NumKeyValueHeads * HeadDim;

    /// <summary>qwen2 models carry biases on the q, k and v projections (HF Qwen2Attention), no other family here does.</summary>
    [JsonIgnore] public bool HasQkvBias => ModelType == "qwen2";

    /// <summary>The attention window to apply (keys j with i − window &lt; j ≤ i), or 0 for plain causal attention.</summary>
    [JsonIgnore] public int AttentionWindow => ModelType == "mistral" && SlidingWindow is { } w ? w : 0;

    /// <summary>Value equality over every config.json field (the architectures list compared by content).</summary>
    public bool Equals(LlamaConfig? other) =>
        other is not null && JsonSerializer.Serialize(this) == JsonSerializer.Serialize(other);

    public override int GetHashCode() => JsonSerializer.Serialize(this).GetHashCode(StringComparison.Ordinal);

    /// <summary>Throws with a clear message when the shapes cannot describe a LLaMA model.</summary>
    public void Validate(string source)
    {
        void Require(bool ok, string what)
        {
            if (!ok)
            {
                throw new InvalidDataException($"{source}: invalid model config: {what}");
            }
        }
        Require(HiddenSize > 0, $"hidden_size must be positive (got {HiddenSize})");
        Require(IntermediateSize > 0, $"intermediate_size must be positive (got {IntermediateSize})");
        Require(NumHiddenLayers > 0, $"num_hidden_layers must be positive (got {NumHiddenLayers})");
        Require(NumAttentionHeads > 0, $"num_attention_heads must be positive (got {NumAttentionHeads})");
        Require(NumKeyValueHeads > 0 && NumAttentionHeads % NumKeyValueHeads == 0,
            $"num_key_value_heads ({NumKeyValueHeads}) must divide num_attention_heads ({NumAttentionHeads})");
        Require(HeadDim > 0 && HeadDim % 2 == 0, $"head_dim must be positive and even (got {HeadDim})");
        Require(VocabSize > 0, $"vocab_size must be positive (got {VocabSize})");
        Require(MaxPositionEmbeddings > 0, $"max_position_embeddings must be positive (got {MaxPositionEmbeddings})");
        Require(RmsNormEps > 0, $"rms_norm_eps must be positive (got {RmsNormEps})");
        Require(EosTokenIds.Count > 0, "eos_token_id is an empty list");
        ConfigKeyCheck.Check(this, source);
    }
}
