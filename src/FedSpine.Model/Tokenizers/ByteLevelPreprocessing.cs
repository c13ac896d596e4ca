// The normalizer and pre_tokenizer of a GPT-2 / Llama 3 / Qwen tokenizer.json: an optional NFC normalizer (UnicodeNfc),
// then pre-tokenizers in order (Split by regex or string, Digits, ByteLevel), then every word spelled in the byte alphabet.
using System.Text;
using System.Text.Json;

namespace FedSpine.Model.Tokenizers;

/// <summary>One pre-tokenizer of the sequence: Split (isolating matches of Regex), Digits, or ByteLevel.</summary>
internal sealed record ByteLevelStep(string Type, HfSplitRegex? Regex, bool PatternIsRegex, string? Pattern, bool Flag, bool UseRegex);

internal sealed class ByteLevelPreprocessing : IHfPreprocessing
{
    private static readonly HfSplitRegex Gpt2 = new(HfSplitRegex.Gpt2Pattern, "GPT-2 pattern");
    private static readonly HfSplitRegex EachDigit = new(@"\p{N}", "Digits");
    private static readonly HfSplitRegex DigitRuns = new(@"\p{N}+", "Digits");

    private readonly NormalizationForm? _normalization;
    private readonly IReadOnlyList<ByteLevelStep> _steps;

    private ByteLevelPreprocessing(NormalizationForm? normalization, IReadOnlyList<ByteLevelStep> steps)
    {
        _normalization = normalization;
        _steps = steps;
    }

    /// <summary>True when the file asks for NFC before splitting.</summary>
    public bool Normalizes => _normalization is not null;

    /// <summary>The pre-tokenizers in order.</summary>
    public IReadOnlyList<ByteLevelStep> Steps => _steps;

    /// <summary>True when the file's pre_tokenizer is ByteLevel or a Sequence holding one.</summary>
    public static bool Applies(JsonElement root) =>
        root.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind == JsonValueKind.Object
        && (TypeOf(pre) == "ByteLevel" || (TypeOf(pre) == "Sequence" && pre.TryGetProperty("pretokenizers", out var list)
            && list.ValueKind == JsonValueKind.Array && list.EnumerateArray().Any(p => TypeOf(p) == "ByteLevel")));

    public IEnumerable<string> Words(string segment, bool atStart)
    {
        string text = _normalization is null ? segment : UnicodeNfc.Normalize(segment);
        if (text.Length == 0)
        {
            return [];
        }
        var pieces = new List<string> { text };
        var next = new List<string>();
        foreach (var step in _steps)
        {
            next.Clear();
            foreach (string piece in pieces)
            {
                switch (step.Type)
                {
                    case "ByteLevel":
                        string prefixed = step.Flag && !piece.StartsWith(' ') ? " " + piece : piece;
                        if (step.UseRegex)
                        {
                            Gpt2.SplitIsolated(prefixed, next);
                        }
                        else
                        {
                            next.Add(prefixed);
                        }
                        break;
                    case "Digits":
                        (step.Flag ? EachDigit : DigitRuns).SplitIsolated(piece, next);
                        break;
                    default: // Split
                        step.Regex!.SplitIsolated(piece, next);
                        break;
                }
            }
            (pieces, next) = (next, pieces);
        }
        return pieces.Select(ByteLevelAlphabet.Spell);
    }

    public static ByteLevelPreprocessing FromJson(JsonElement root, string source)
    {
        NormalizationForm? form = null;
        if (root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind != JsonValueKind.Null)
        {
            var single = TypeOf(normalizer) == "Sequence" && normalizer.TryGetProperty("normalizers", out var list)
                         && list.ValueKind == JsonValueKind.Array && list.GetArrayLength() == 1 ? list[0] : normalizer;
            form = TypeOf(single) switch
            {
                "NFC" => NormalizationForm.FormC,
                var other => throw new InvalidDataException(
                    $"{source}: normalizer '{other}' is not supported with a ByteLevel pre_tokenizer (only NFC)"),
            };
        }
        var pre = root.GetProperty("pre_tokenizer");
        var items = TypeOf(pre) == "Sequence" ? pre.GetProperty("pretokenizers").EnumerateArray().ToList() : [pre];
        return new ByteLevelPreprocessing(form, items.Select(item => ReadStep(item, source)).ToList());
    }

    public void WriteJson(Utf8JsonWriter writer)
    {
        if (_normalization is { } form)
        {
            writer.WriteStartObject("normalizer");
            writer.WriteString("type", form == NormalizationForm.FormC ? "NFC" : form.ToString());
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("normalizer");
        }
        writer.WriteStartObject("pre_tokenizer");
        writer.WriteString("type", "Sequence");
        writer.WriteStartArray("pretokenizers");
        foreach (var step in _steps)
        {
            writer.WriteStartObject();
            writer.WriteString("type", step.Type);
            switch (step.Type)
            {
                case "ByteLevel":
                    writer.WriteBoolean("add_prefix_space", step.Flag);
                    writer.WriteBoolean("trim_offsets", false);
                    writer.WriteBoolean("use_regex", step.UseRegex);
                    break;
                case "Digits":
                    writer.WriteBoolean("individual_digits", step.Flag);
                    break;
                default:
                    writer.WriteStartObject("pattern");
                    writer.WriteString(step.PatternIsRegex ? "Regex" : "String", step.Pattern);
                    writer.WriteEndObject();
                    writer.WriteString("behavior", "Isolated");
                    writer.WriteBoolean("invert", false);
                    break;
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static ByteLevelStep ReadStep(JsonElement item, string source)
    {
        bool Bool(string name, bool fallback) =>
            item.TryGetProperty(name, out var v) ? v.ValueKind == JsonValueKind.True : fallback;
        switch (TypeOf(item))
        {
            case "ByteLevel":
                return new ByteLevelStep("ByteLevel", null, false, null, Bool("add_prefix_space", true), Bool("use_regex", true));
            case "Digits":
                return new ByteLevelStep("Digits", null, false, null, Bool("individual_digits", false), false);
            case "Split":
                string behavior = item.TryGetProperty("behavior", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString()! : "";
                if (behavior != "Isolated" || Bool("invert", false))
                {
                    throw new InvalidDataException($"{source}: Split with behavior '{behavior}'{(Bool("invert", false) ? " and invert" : "")} is not supported (only Isolated, not inverted)");
                }
                if (!item.TryGetProperty("pattern", out var pattern) || pattern.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidDataException($"{source}: Split has no pattern object");
                }
                if (pattern.TryGetProperty("Regex", out var regex) && regex.ValueKind == JsonValueKind.String)
                {
                    return new ByteLevelStep("Split", new HfSplitRegex(regex.GetString()!, source), true, regex.GetString(), false, false);
                }
                if (pattern.TryGetProperty("String", out var text) && text.ValueKind == JsonValueKind.String && text.GetString()!.Length > 0)
                {
                    return new ByteLevelStep("Split", new HfSplitRegex(System.Text.RegularExpressions.Regex.Escape(text.GetString()!), source),
                        false, text.GetString(), false, false);
                }
                throw new InvalidDataException($"{source}: Split pattern {pattern.GetRawText()} is neither a Regex nor a non-empty String");
            case var other:
                throw new InvalidDataException($"{source}: pre_tokenizer '{other}' is not supported beside ByteLevel (only Split, Digits, ByteLevel)");
        }
    }

    private static string TypeOf(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
            ? t.GetString()! : element.ValueKind.ToString();
}
