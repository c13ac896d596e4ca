// Reads and writes a Hugging Face config.json as LlamaConfig, filling HF's defaults for keys older configs omit
// (head_dim = hidden_size / num_attention_heads, num_key_value_heads = num_attention_heads, rms_norm_eps 1e-6 as in
// HF's Llama/Mistral/Qwen2 configs, Mistral's sliding_window 4096 when the key is absent; null means none), then validates.
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FedSpine.Model.Formats;

public static class HfConfigJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static LlamaConfig Read(string path)
    {
        LlamaConfig? config;
        bool hasSlidingWindowKey, hasEpsKey;
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            config = JsonSerializer.Deserialize<LlamaConfig>(bytes);
            using var document = JsonDocument.Parse(bytes);
            bool isObject = document.RootElement.ValueKind == JsonValueKind.Object;
            hasSlidingWindowKey = isObject && document.RootElement.TryGetProperty("sliding_window", out _);
            hasEpsKey = isObject && document.RootElement.TryGetProperty("rms_norm_eps", out _);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid LLaMA config.json ({e.Message})", e);
        }
        if (config is null)
        {
            throw new InvalidDataException($"{path}: config.json holds null");
        }
        if (config.NumKeyValueHeads == 0)
        {
            config = config with { NumKeyValueHeads = config.NumAttentionHeads };
        }
        if (config.HeadDim == 0 && config.NumAttentionHeads > 0)
        {
            config = config with { HeadDim = config.HiddenSize / config.NumAttentionHeads };
        }
        if (!hasEpsKey)
        {
            config = config with { RmsNormEps = HfDefaultRmsNormEps };
        }
        if (config.ModelType == "mistral" && !hasSlidingWindowKey)
        {
            config = config with { SlidingWindow = MistralDefaultSlidingWindow };
        }
        config.Validate(path);
        return config;
    }

    /// <summary>rms_norm_eps of HF's LlamaConfig, MistralConfig and Qwen2Config when config.json does not name one.</summary>
    public const float HfDefaultRmsNormEps = 1e-6f;

    /// <summary>HF MistralConfig's sliding_window when config.json does not name one.</summary>
    public const int MistralDefaultSlidingWindow = 4096;

    public static void Write(string path, LlamaConfig config) => File.WriteAllText(path, ToJson(config) + "\n");

    /// <summary>The config.json text; a Mistral config without a window writes sliding_window: null (absent means 4096).</summary>
    public static string ToJson(LlamaConfig config)
    {
        var node = JsonSerializer.SerializeToNode(config)!.AsObject();
        if (config.ModelType == "mistral" && config.SlidingWindow is null)
        {
            node["sliding_window"] = null;
        }
        return node.ToJsonString(Indented);
    }
}
