// Reads and writes a Hugging Face config.json as LlamaConfig, filling HF's defaults for keys older configs omit
// (head_dim = hidden_size / num_attention_heads, num_key_value_heads = num_attention_heads), then validates it.
using System.Text.Json;

namespace FedSpine.Model.Formats;

public static class HfConfigJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static LlamaConfig Read(string path)
    {
        LlamaConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<LlamaConfig>(File.ReadAllBytes(path));
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
        config.Validate(path);
        return config;
    }

    public static void Write(string path, LlamaConfig config) =>
        File.WriteAllText(path, JsonSerializer.Serialize(config, Indented) + "\n");
}
