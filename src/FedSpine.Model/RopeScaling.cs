// The rope_scaling object of an HF config.json (rope_type, or the older key type) for the types implemented here:
// llama3 (factor, low/high_freq_factor, original_max_position_embeddings), linear (factor), dynamic (factor).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FedSpine.Model;

public sealed record RopeScaling
{
    public static readonly string[] SupportedTypes = ["llama3", "linear", "dynamic"];

    [JsonPropertyName("rope_type")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RopeType { get; init; }

    /// <summary>The pre-4.42 spelling of rope_type; HF reads rope_type first, then this.</summary>
    [JsonPropertyName("type")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LegacyType { get; init; }

    [JsonPropertyName("factor")] public double Factor { get; init; } = 1.0;

    [JsonPropertyName("low_freq_factor")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? LowFreqFactor { get; init; }

    [JsonPropertyName("high_freq_factor")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? HighFreqFactor { get; init; }

    [JsonPropertyName("original_max_position_embeddings")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? OriginalMaxPositionEmbeddings { get; init; }

    /// <summary>Keys of other rope types (attention_factor, beta_fast, ...), kept so a config round-trips.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }

    [JsonIgnore] public string Type => RopeType ?? LegacyType ?? "default";

    public bool Equals(RopeScaling? other) => other is not null && JsonSerializer.Serialize(this) == JsonSerializer.Serialize(other);

    public override int GetHashCode() => JsonSerializer.Serialize(this).GetHashCode(StringComparison.Ordinal);

    /// <summary>Throws naming rope_scaling and the offending key when this scaling is not one computed here.</summary>
    public void Validate(string source)
    {
        void Require(bool ok, string what)
        {
            if (!ok)
            {
                throw new InvalidDataException($"{source}: rope_scaling: {what}");
            }
        }
        Require(Type is "default" || SupportedTypes.Contains(Type),
            $"rope_type '{Type}' is not implemented (implemented: {string.Join(", ", SupportedTypes)}); it would compute wrong positions");
        Require(Type != "default" || Factor == 1.0, "a factor without a rope_type");
        if (Type == "default")
        {
            return;
        }
        Require(Factor >= 1.0 || Type == "linear" && Factor > 0, $"factor must be at least 1 (got {Factor})");
        if (Type == "llama3")
        {
            Require(LowFreqFactor is > 0, "llama3 needs a positive low_freq_factor");
            Require(HighFreqFactor is { } high && high > LowFreqFactor, "llama3 needs high_freq_factor greater than low_freq_factor");
            Require(OriginalMaxPositionEmbeddings is > 0, "llama3 needs a positive original_max_position_embeddings");
        }
    }
}
