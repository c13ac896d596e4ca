// The normalizer and pre_tokenizer of a LLaMA-family tokenizer.json, in either layout: normalizers Prepend("▁") and
// Replace(" " → "▁") (LLaMA 2), or a Metaspace pre-tokenizer (prepend_scheme always/first/never, optional split).
using System.Text.Json;

namespace FedSpine.Model.Tokenizers;

internal enum PrependScheme
{
    Always,
    First,
    Never,
}

/// <summary>One normalizer step: Prepend(Text) when the text is non-empty, or Replace(Text → Content).</summary>
internal sealed record NormalizerStep(bool IsPrepend, string Text, string Content);

internal sealed record MetaspaceOptions(string Replacement, PrependScheme Scheme, bool Split);

internal sealed class HfPreprocessing : IHfPreprocessing
{
    public HfPreprocessing(IReadOnlyList<NormalizerStep> normalizers, MetaspaceOptions? metaspace)
    {
        Normalizers = normalizers;
        Metaspace = metaspace;
    }

    /// <summary>LLaMA 2's layout: Prepend "▁", then replace every space with "▁"; no pre-tokenizer.</summary>
    public static HfPreprocessing Llama { get; } = new([new NormalizerStep(true, "▁", ""), new NormalizerStep(false, " ", "▁")], null);

    public IReadOnlyList<NormalizerStep> Normalizers { get; }
    public MetaspaceOptions? Metaspace { get; }

    /// <summary>The words of a segment of input (the text between two added tokens); atStart when it begins the input.</summary>
    public IEnumerable<string> Words(string segment, bool atStart)
    {
        string text = segment;
        foreach (var step in Normalizers)
        {
            text = step.IsPrepend ? (text.Length > 0 ? step.Text + text : text) : text.Replace(step.Text, step.Content, StringComparison.Ordinal);
        }
        if (Metaspace is not { } m)
        {
            return text.Length > 0 ? [text] : [];
        }
        text = text.Replace(" ", m.Replacement, StringComparison.Ordinal);
        bool prepend = m.Scheme == PrependScheme.Always || (m.Scheme == PrependScheme.First && atStart);
        if (prepend && text.Length > 0 && !text.StartsWith(m.Replacement, StringComparison.Ordinal))
        {
            text = m.Replacement + text;
        }
        return m.Split ? SplitBefore(text, m.Replacement) : text.Length > 0 ? [text] : [];
    }

    public static HfPreprocessing FromJson(JsonElement root, string source)
    {
        var steps = new List<NormalizerStep>();
        if (root.TryGetProperty("normalizer", out var normalizer))
        {
            ReadNormalizer(normalizer, steps, source);
        }
        MetaspaceOptions? metaspace = null;
        if (root.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind != JsonValueKind.Null)
        {
            if (pre.ValueKind == JsonValueKind.Object && Type(pre) == "Sequence" && pre.TryGetProperty("pretokenizers", out var list)
                && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() == 1)
            {
                pre = list[0];
            }
            if (Type(pre) != "Metaspace")
            {
                throw new InvalidDataException($"{source}: pre_tokenizer '{Type(pre)}' is not supported (only Metaspace)");
            }
            metaspace = new MetaspaceOptions(Replacement(pre, source), Scheme(pre, source),
                !pre.TryGetProperty("split", out var split) || split.ValueKind != JsonValueKind.False);
        }
        return new HfPreprocessing(steps, metaspace);
    }

    public void WriteJson(Utf8JsonWriter writer)
    {
        if (Normalizers.Count == 0)
        {
            writer.WriteNull("normalizer");
        }
        else
        {
            writer.WriteStartObject("normalizer");
            writer.WriteString("type", "Sequence");
            writer.WriteStartArray("normalizers");
            foreach (var step in Normalizers)
            {
                writer.WriteStartObject();
                if (step.IsPrepend)
                {
                    writer.WriteString("type", "Prepend");
                    writer.WriteString("prepend", step.Text);
                }
                else
                {
                    HfJson.WriteReplace(writer, step.Text, step.Content);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        if (Metaspace is not { } m)
        {
            writer.WriteNull("pre_tokenizer");
            return;
        }
        writer.WriteStartObject("pre_tokenizer");
        writer.WriteString("type", "Metaspace");
        writer.WriteString("replacement", m.Replacement);
        writer.WriteString("prepend_scheme", m.Scheme.ToString().ToLowerInvariant());
        writer.WriteBoolean("split", m.Split);
        writer.WriteEndObject();
    }

    /// <summary>Metaspace's split: each replacement character starts a new word (it stays with the text after it).</summary>
    private static List<string> SplitBefore(string text, string marker)
    {
        var words = new List<string>();
        int start = 0;
        for (int i = text.IndexOf(marker, 1, StringComparison.Ordinal); i > 0; i = text.IndexOf(marker, i + marker.Length, StringComparison.Ordinal))
        {
            words.Add(text[start..i]);
            start = i;
        }
        if (start < text.Length)
        {
            words.Add(text[start..]);
        }
        return words;
    }

    private static void ReadNormalizer(JsonElement normalizer, List<NormalizerStep> steps, string source)
    {
        switch (normalizer.ValueKind == JsonValueKind.Null ? null : Type(normalizer))
        {
            case null:
                return;
            case "Sequence" when normalizer.TryGetProperty("normalizers", out var list) && list.ValueKind == JsonValueKind.Array:
                foreach (var item in list.EnumerateArray())
                {
                    ReadNormalizer(item, steps, source);
                }
                return;
            case "Prepend" when normalizer.TryGetProperty("prepend", out var text) && text.ValueKind == JsonValueKind.String:
                steps.Add(new NormalizerStep(true, text.GetString()!, ""));
                return;
            case "Replace":
                var (pattern, content) = HfJson.ReadReplace(normalizer, source);
                steps.Add(new NormalizerStep(false, pattern, content));
                return;
            case var other:
                throw new InvalidDataException($"{source}: normalizer '{other}' is not supported (only Sequence, Prepend and Replace)");
        }
    }

    private static string Type(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()! : element.ValueKind.ToString();

    private static string Replacement(JsonElement metaspace, string source) =>
        metaspace.TryGetProperty("replacement", out var r) && r.ValueKind == JsonValueKind.String && r.GetString()!.Length > 0
            ? r.GetString()! : throw new InvalidDataException($"{source}: Metaspace has no replacement character");

    internal static PrependScheme Scheme(JsonElement metaspace, string source)
    {
        if (metaspace.TryGetProperty("prepend_scheme", out var scheme) && scheme.ValueKind == JsonValueKind.String)
        {
            return scheme.GetString() switch
            {
                "always" => PrependScheme.Always,
                "first" => PrependScheme.First,
                "never" => PrependScheme.Never,
                var other => throw new InvalidDataException($"{source}: Metaspace prepend_scheme '{other}' is not one of always, first, never"),
            };
        }
        bool addPrefixSpace = !metaspace.TryGetProperty("add_prefix_space", out var add) || add.ValueKind != JsonValueKind.False;
        return addPrefixSpace ? PrependScheme.Always : PrependScheme.Never;
    }
}
