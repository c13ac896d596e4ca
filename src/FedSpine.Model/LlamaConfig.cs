// The LLaMA architecture as Hugging Face's config.json names it; read and written as that file.
// head_dim is explicit so pruned models (fewer heads, same head size) stay standard.
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
    [JsonPropertyName("eos_token_id")] public int EosTokenId { get; init; } = 2;
    [JsonPropertyName("hidden_act")] public string HiddenAct { get; init; } = "silu";
    [JsonPropertyName("attention_bias")] public bool AttentionBias { get; init; }
    [JsonPropertyName("mlp_bias")] public bool MlpBias { get; init; }
    [JsonPropertyName("torch_dtype")] public string TorchDtype { get; init; } = "float32";

    /// <summary>Query projection width: heads × head_dim (need not equal hidden_size once heads are pruned).</summary>
    [JsonIgnore] public int QueryDim => NumAttentionHeads * HeadDim;
    [JsonIgnore] public int KeyValueDim => NumKeyValueHeads * HeadDim;

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
        Require(HiddenAct == "silu", $"hidden_act '{HiddenAct}' is not supported (only silu)");
        Require(!AttentionBias && !MlpBias, "attention_bias/mlp_bias are not supported");
    }
}
