// Small tokenizer.json pieces shared by the normalizer and decoder readers and writers:
// the Replace step {"type": "Replace", "pattern": {"String": a}, "content": b}.
using System.Text.Json;

namespace FedSpine.Model.Tokenizers;

internal static class HfJson
{
    public static (string Pattern, string Content) ReadReplace(JsonElement replace, string source)
    {
        if (replace.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.Object
            && pattern.TryGetProperty("String", out var text) && text.ValueKind == JsonValueKind.String && text.GetString()!.Length > 0
            && replace.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
        {
            return (text.GetString()!, content.GetString()!);
        }
        throw new InvalidDataException($"{source}: Replace {replace.GetRawText()} is not supported (only a non-empty String pattern)");
    }

    /// <summary>Writes the members of a Replace object (the caller opens and closes it).</summary>
    public static void WriteReplace(Utf8JsonWriter writer, string pattern, string content)
    {
        writer.WriteString("type", "Replace");
        writer.WriteStartObject("pattern");
        writer.WriteString("String", pattern);
        writer.WriteEndObject();
        writer.WriteString("content", content);
    }
}
