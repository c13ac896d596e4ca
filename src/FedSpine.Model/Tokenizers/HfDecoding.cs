// The decoder of a LLaMA-family tokenizer.json: Sequence[Replace("▁" → " "), ByteFallback, Fuse, Strip(" ", start, stop)]
// or Metaspace (replacement back to spaces, one leading space stripped unless prepend_scheme is never).
using System.Text.Json;

namespace FedSpine.Model.Tokenizers;

internal sealed record HfDecoding(IReadOnlyList<(string Pattern, string Content)> Replacements, bool ByteFallback, int StripStart, int StripStop)
{
    public static HfDecoding Llama { get; } = new([("▁", " ")], true, 1, 0);

    public static HfDecoding FromJson(JsonElement root, string source)
    {
        var replacements = new List<(string, string)>();
        bool byteFallback = false;
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
                    throw new InvalidDataException($"{source}: decoder '{type}' is not supported (only Sequence, Replace, ByteFallback, Fuse, Strip of spaces, Metaspace)");
            }
        }
        if (root.TryGetProperty("decoder", out var decoder) && decoder.ValueKind != JsonValueKind.Null)
        {
            Read(decoder);
        }
        return new HfDecoding(replacements, byteFallback, stripStart, stripStop);
    }

    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("decoder");
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
