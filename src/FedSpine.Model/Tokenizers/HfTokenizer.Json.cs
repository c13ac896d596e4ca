// Reads and writes tokenizer.json: version, added_tokens, normalizer, pre_tokenizer (SentencePiece-style or ByteLevel, by
// the file), post_processor (BOS first, as LLaMA's), decoder and model; BOS/EOS from a tokenizer_config.json beside it.
// Unsupported components are rejected with a message naming the file and the component.
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FedSpine.Model.Tokenizers;

public sealed partial class HfTokenizer
{
    public static HfTokenizer Load(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("model", out var model))
            {
                throw new InvalidDataException($"{path}: not a tokenizer.json (no \"model\")");
            }
            try
            {
                var decoding = HfDecoding.FromJson(root, path);
                IHfPreprocessing preprocessing = ByteLevelPreprocessing.Applies(root)
                    ? ByteLevelPreprocessing.FromJson(root, path)
                    : HfPreprocessing.FromJson(root, path);
                if ((preprocessing is ByteLevelPreprocessing) != decoding.ByteLevel)
                {
                    throw new InvalidDataException($"{path}: a ByteLevel pre_tokenizer needs a ByteLevel decoder and the other way round");
                }
                var (bos, eos) = ReadConfigTokens(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "tokenizer_config.json"));
                return new HfTokenizer(HfBpeModel.FromJson(model, path), ReadAddedTokens(root, path), preprocessing, decoding, path, bos, eos);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{path}: a tokenizer.json value has the wrong JSON type ({e.Message})", e);
            }
        }
    }

    /// <summary>Writes a tokenizer.json that Hugging Face tokenizers loads (merges as [left, right] pairs).</summary>
    public void Save(string path)
    {
        var options = new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using (var stream = File.Create(path))
        using (var writer = new Utf8JsonWriter(stream, options))
        {
            writer.WriteStartObject();
            writer.WriteString("version", "1.0");
            writer.WriteNull("truncation");
            writer.WriteNull("padding");
            WriteAddedTokens(writer);
            _preprocessing.WriteJson(writer);
            WritePostProcessor(writer);
            _decoding.WriteJson(writer);
            _model.WriteJson(writer);
            writer.WriteEndObject();
        }
    }

    private static List<HfAddedToken> ReadAddedTokens(JsonElement root, string path)
    {
        var added = new List<HfAddedToken>();
        if (!root.TryGetProperty("added_tokens", out var list) || list.ValueKind == JsonValueKind.Null)
        {
            return added;
        }
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{path}: \"added_tokens\" must be an array");
        }
        foreach (var item in list.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("id", out var id) || !id.TryGetInt32(out int value) || value < 0
                || !item.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
            {
                throw new InvalidDataException($"{path}: added token {item.GetRawText()} needs a non-negative \"id\" and a \"content\" string");
            }
            foreach (string flag in new[] { "lstrip", "rstrip", "single_word" })
            {
                if (item.TryGetProperty(flag, out var f) && f.ValueKind == JsonValueKind.True)
                {
                    throw new InvalidDataException($"{path}: added token '{content.GetString()}' sets \"{flag}\", which is not supported");
                }
            }
            bool special = item.TryGetProperty("special", out var s) && s.ValueKind == JsonValueKind.True;
            added.Add(new HfAddedToken(value, content.GetString()!, special));
        }
        return added;
    }

    /// <summary>bos_token and eos_token of a tokenizer_config.json (a string, or an object with "content"); nulls when the file
    /// is absent or unreadable, which leaves the usual token names to decide.</summary>
    private static (string? Bos, string? Eos) ReadConfigTokens(string path)
    {
        if (!File.Exists(path))
        {
            return (null, null);
        }
        try
        {
            using var config = JsonDocument.Parse(File.ReadAllBytes(path));
            string? Token(string name) =>
                config.RootElement.ValueKind == JsonValueKind.Object && config.RootElement.TryGetProperty(name, out var t)
                    ? t.ValueKind == JsonValueKind.String ? t.GetString()
                    : t.ValueKind == JsonValueKind.Object && t.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString()
                    : null
                    : null;
            return (Token("bos_token"), Token("eos_token"));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private void WriteAddedTokens(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("added_tokens");
        foreach (var token in AddedTokens)
        {
            writer.WriteStartObject();
            writer.WriteNumber("id", token.Id);
            writer.WriteString("content", token.Content);
            writer.WriteBoolean("single_word", false);
            writer.WriteBoolean("lstrip", false);
            writer.WriteBoolean("rstrip", false);
            writer.WriteBoolean("normalized", false);
            writer.WriteBoolean("special", token.Special);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    /// <summary>LLaMA's template: BOS before each sequence (our Encode takes bos/eos as arguments instead); none for byte-level
    /// tokenizers, whose BOS (if any) is the caller's to add.</summary>
    private void WritePostProcessor(Utf8JsonWriter writer)
    {
        if (_decoding.ByteLevel || BosId >= _tokens.Length || _tokens[BosId] is not { } bos)
        {
            writer.WriteNull("post_processor");
            return;
        }
        void Special(int typeId)
        {
            writer.WriteStartObject();
            writer.WriteStartObject("SpecialToken");
            writer.WriteString("id", bos);
            writer.WriteNumber("type_id", typeId);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        void Sequence(string id, int typeId)
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Sequence");
            writer.WriteString("id", id);
            writer.WriteNumber("type_id", typeId);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        writer.WriteStartObject("post_processor");
        writer.WriteString("type", "TemplateProcessing");
        writer.WriteStartArray("single");
        Special(0);
        Sequence("A", 0);
        writer.WriteEndArray();
        writer.WriteStartArray("pair");
        Special(0);
        Sequence("A", 0);
        Special(1);
        Sequence("B", 1);
        writer.WriteEndArray();
        writer.WriteStartObject("special_tokens");
        writer.WriteStartObject(bos);
        writer.WriteString("id", bos);
        writer.WriteStartArray("ids");
        writer.WriteNumberValue(BosId);
        writer.WriteEndArray();
        writer.WriteStartArray("tokens");
        writer.WriteStringValue(bos);
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
