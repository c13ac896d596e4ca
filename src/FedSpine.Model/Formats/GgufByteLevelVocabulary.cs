// A byte-level BPE tokenizer.json (GPT-2, Llama 3, Qwen, SmolLM) as llama.cpp's "gpt2" vocabulary: tokens spelled in the
// byte alphabet, merges in rank order, and the name of the llama.cpp pre-tokenizer whose split equals the file's (else refused).
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Formats;

internal static class GgufByteLevelVocabulary
{
    // The Split regexes of Llama 3 and Qwen2/2.5/3 tokenizer.json files (llama.cpp's "llama-bpe" and "qwen2" split alike).
    private const string Llama3Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string Qwen2Pattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public static GgufVocabulary From(HfTokenizer hf, int vocabSize)
    {
        string pre = PreTokenizer(hf);
        var (tokens, types) = GgufVocabulary.Spell(hf, vocabSize, _ => GgufVocabulary.Normal);
        string[] merges = hf.Merges.Select(m => MergeText(m.Left, m.Right)).ToArray();
        return new GgufVocabulary("gpt2", pre, tokens, null, types, merges, hf.BosId, hf.EosId, null);
    }

    /// <summary>llama.cpp keeps a merge as one string "left right"; a token holding a space cannot be told apart there.</summary>
    private static string MergeText(string left, string right) =>
        left.Contains(' ', StringComparison.Ordinal) || right.Contains(' ', StringComparison.Ordinal)
            ? throw new ArgumentException($"GGUF export: merge (\"{left}\", \"{right}\") holds a space, which llama.cpp's \"left right\" merge strings cannot carry")
            : $"{left} {right}";

    /// <summary>tokenizer.ggml.pre for the file's pre_tokenizer (llama.cpp applies its own built-in split for each name; it adds
    /// no prefix space and skips NFC, so text already in NFC splits alike); anything else is refused, naming what it saw.</summary>
    private static string PreTokenizer(HfTokenizer hf)
    {
        var steps = ((ByteLevelPreprocessing)hf.Preprocessing).Steps;
        string layout = string.Join(", ", steps.Select(Describe));
        bool ByteLevelLast(bool useRegex) =>
            steps[^1] is { Type: "ByteLevel", Flag: false } last && last.UseRegex == useRegex;
        bool SplitFirst(string pattern) => steps.Count == 2 && steps[0] is { Type: "Split", PatternIsRegex: true } s && s.Pattern == pattern;
        string? name = (steps.Count, hf.IgnoreMerges) switch
        {
            (2, true) when SplitFirst(Llama3Pattern) && ByteLevelLast(useRegex: false) => "llama-bpe",
            (2, false) when SplitFirst(Qwen2Pattern) && ByteLevelLast(useRegex: false) => "qwen2",
            (2, false) when steps[0] is { Type: "Digits", Flag: true } && ByteLevelLast(useRegex: true) => "smollm",
            (1, false) when ByteLevelLast(useRegex: true) => "gpt-2",
            _ => null,
        };
        return name ?? throw new ArgumentException(
            $"GGUF export: the byte-level pre_tokenizer [{layout}]{(hf.IgnoreMerges ? " with ignore_merges" : "")} matches none of llama.cpp's " +
            "pre-tokenizers this writer names (llama-bpe: Llama 3; qwen2; smollm; gpt-2), so llama.cpp would split text differently; export --format hf instead");
    }

    private static string Describe(ByteLevelStep step) => step.Type switch
    {
        "ByteLevel" => $"ByteLevel(add_prefix_space={step.Flag}, use_regex={step.UseRegex})",
        "Digits" => $"Digits(individual_digits={step.Flag})",
        _ => $"Split({(step.PatternIsRegex ? "Regex" : "String")} '{step.Pattern}')",
    };
}
