// Refuses, naming the config.json key, every setting that would change the computation and is not implemented here:
// an unknown model_type, attention_bias/mlp_bias on llama, other activations, unknown rope types, qwen2 sliding windows.
using System.Text.Json;

namespace FedSpine.Model;

internal static class ConfigKeyCheck
{
    public static readonly string[] SupportedModelTypes = ["llama", "mistral", "qwen2"];

    public static void Check(LlamaConfig c, string source)
    {
        void Refuse(string key, string what) =>
            throw new InvalidDataException($"{source}: config key '{key}' {what}; FedSpine would compute this model wrongly, so it refuses it");

        if (!SupportedModelTypes.Contains(c.ModelType))
        {
            Refuse("model_type", $"is '{c.ModelType}', not one of {string.Join(", ", SupportedModelTypes)}");
        }
        if (c.HiddenAct != "silu")
        {
            Refuse("hidden_act", $"is '{c.HiddenAct}'; only silu is implemented");
        }
        // HF's LlamaAttention/LlamaMLP read these two; Mistral and Qwen2 ignore them (Qwen2 always has q/k/v biases).
        if (c.ModelType == "llama" && c.AttentionBias)
        {
            Refuse("attention_bias", "is true (biases on q/k/v/o of a llama model are not implemented)");
        }
        if (c.ModelType == "llama" && c.MlpBias)
        {
            Refuse("mlp_bias", "is true (MLP biases are not implemented)");
        }
        if (c.RopeScaling is { } scaling)
        {
            try
            {
                scaling.Validate(source);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{e.Message}; config key 'rope_scaling' is refused", e);
            }
        }
        if (c.SlidingWindow is { } window && window <= 0 && c.ModelType == "mistral")
        {
            Refuse("sliding_window", $"is {window}; it must be positive or null");
        }
        var other = c.OtherKeys ?? [];
        if (other.TryGetValue("use_sliding_window", out var use) && use.ValueKind == JsonValueKind.True)
        {
            Refuse("use_sliding_window", "is true (qwen2's per-layer windows after max_window_layers are not implemented)");
        }
        if (other.TryGetValue("layer_types", out var types) && types.ValueKind == JsonValueKind.Array &&
            types.EnumerateArray().Any(t => t.GetString() != "full_attention"))
        {
            Refuse("layer_types", "lists layers other than full_attention (per-layer sliding attention is not implemented)");
        }
        if (other.TryGetValue("partial_rotary_factor", out var partial) && partial.ValueKind == JsonValueKind.Number && partial.GetDouble() != 1.0)
        {
            Refuse("partial_rotary_factor", $"is {partial.GetDouble()} (partial RoPE is not implemented)");
        }
        if (other.TryGetValue("attention_dropout", out var dropout) && dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() != 0.0)
        {
            Refuse("attention_dropout", $"is {dropout.GetDouble()} (attention dropout is not implemented)");
        }
    }
}
