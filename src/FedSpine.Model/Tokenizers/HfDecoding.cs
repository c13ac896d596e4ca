// The decoder of a tokenizer.json: LLaMA-family Sequence[Replace("▁" → " "), ByteFallback, Fuse, Strip(" ", start, stop)],
// Metaspace (replacement back to spaces, one leading space stripped unless prepend_scheme is never), or GPT-2's ByteLevel.
using System.Text.Json;

namespace FedSpine.Model.Tokenizers;

internal sealed record HfDecoding(IReadOnlyList<(string Pattern, string Content)> Replacements, bool ByteFallback, int StripStart, int StripStop,
    bool ByteLevel = false)
{
    /// <summary>GPT-2's decoder: every token's characters back to the bytes they spell.</summary>
    public static HfDecoding Bytes { get; } = new([], false, 0, 0, ByteLevel: true);

    public static HfDecoding Llama { get; } = new([("▁", " ")], true, 1, 0);

    public static HfDecoding FromJson(JsonElement root, string source)
    {
        var replacements = new List<(string, string)>();
        bool byteFallback = false, byteLevel = false;
        int stripStart = 0, stripStop = 0;
        void Read(JsonElement decoder)
        {
            string type = decoder.ValueKind == JsonValueKind.Object && decoder.TryGetProperty("type", out var t) ? t.GetString() ?? "" : decoder.ValueKind.ToString();
            switch (type)
            {
                case "Sequence" when decoder.TryGetProperty("decoders", out var list) && list.ValueKind == JsonValueKind.Array:
                    foreach (var item in list.EnumerateArray())
                    {
                        Read(item);
                    }
                    break;
                case "Replace":
                    replacements.Add(HfJson.ReadReplace(decoder, source));
                    break;
                case "ByteFallback":
                    byteFallback = true;
                    break;
                case "ByteLevel":
                    byteLevel = true;
                    break;
                case "Fuse":
                    break; // decoding always concatenates tokens
                case "Strip" when decoder.TryGetProperty("content", out var c) && c.GetString() == " ":
                    stripStart = decoder.TryGetProperty("start", out var s) ? s.GetInt32() : 0;
                    stripStop = decoder.TryGetProperty("stop", out var e) ? e.GetInt32() : 0;
                    break;
                case "Metaspace":
                    string replacement = decoder.TryGetProperty("replacement", out var r) ? r.GetString() ?? "▁" : "▁";
                    replacements.Add((replacement, " "));
                    stripStart = HfPreprocessing.Scheme(decoder, source) == PrependScheme.Never ? 0 : 1;
                    break;
                default:
                    throw new InvalidDataException($"{source}: decoder '{type}' is not supported (only Sequence, Replace, ByteFallback, Fuse, Strip of spaces, Metaspace, ByteLevel)");
            }
        }
        if (root.TryGetProperty("decoder", out var decoder) && decoder.ValueKind != JsonValueKind.Null)
        {
            Read(decoder);
        }
        if (byteLevel && (replacements.Count > 0 || byteFallback || stripStart > 0 || stripStop > 0))
        {
            throw new InvalidDataException($"{source}: a ByteLevel decoder combined with Replace, ByteFallback or Strip is not supported");
        }
        return new HfDecoding(replacements, byteFallback, stripStart, stripStop, byteLevel);
    }

    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("decoder");
        if (ByteLevel)
        {
            writer.WriteString("type", "ByteLevel");
            writer.WriteBoolean("add_prefix_space", false);
            writer.WriteBoolean("trim_offsets", false);
            writer.WriteBoolean("use_regex", false);
            writer.WriteEndObject();
            return;
        }
        writer.WriteString("type", "Sequence");
        writer.WriteStartArray("decoders");
        foreach (var (pattern, content) in Replacements)
        {
            writer.WriteStartObject();
            HfJson.WriteReplace(writer, pattern, content);
            writer.WriteEndObject();
        }
        if (ByteFallback)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "ByteFallback");
            writer.WriteEndObject();
        }
        writer.WriteStartObject();
        writer.WriteString("type", "Fuse");
        writer.WriteEndObject();
        if (StripStart > 0 || StripStop > 0)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "Strip");
            writer.WriteString("content", " ");
            writer.WriteNumber("start", StripStart);
            writer.WriteNumber("stop", StripStop);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
