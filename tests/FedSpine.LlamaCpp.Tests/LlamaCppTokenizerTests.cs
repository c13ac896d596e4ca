// llama.cpp reads the vocabulary of our GGUF exports as we do: for the real tokenizer files of tests/fixtures/tokenizers
// (Llama 3 and Qwen3 byte-level, Mistral and Llama 2 byte-fallback BPE) it gives our ids on every golden string.
using FedSpine.Model;
using FedSpine.Model.Tokenizers;
using Xunit.Abstractions;

namespace FedSpine.LlamaCpp.Tests;

public class LlamaCppTokenizerTests(ITestOutputHelper output)
{
    public static TheoryData<string> Names => new(["llama3", "qwen3", "mistral", "llama2"]);

    [LlamaCppTheory]
    [MemberData(nameof(Names))]
    public void Golden_strings_tokenize_to_our_ids(string name)
    {
        using var temp = new TempFolder();
        Exports.FamilyWithRealTokenizer(temp.File("model"), "smollm2", name, seed: 3);
        var model = Exports.Export(temp.File("model"), null, temp.File("m.gguf"));
        var ours = model.Tokenizer!;
        var texts = Exports.GoldenTexts(name);
        // llama.cpp applies no normalizer: where the file asks for NFC (Qwen3) it is given the text in NFC, as ours sees it.
        bool nfc = ours is HfTokenizer { Preprocessing: ByteLevelPreprocessing { Normalizes: true } };
        var normalized = texts.Select(t => nfc ? UnicodeNfc.Normalize(t) : t).ToList();
        var raw = LlamaCpp.Tokenize(temp.File("m.gguf"), texts, bos: false);
        var theirs = nfc ? LlamaCpp.Tokenize(temp.File("m.gguf"), normalized, bos: false) : raw;
        var differing = Enumerable.Range(0, texts.Count).Where(i => !ours.Encode(texts[i], bos: false, eos: false).SequenceEqual(theirs[i])).ToList();
        var rawDiffering = Enumerable.Range(0, texts.Count).Where(i => !ours.Encode(texts[i], bos: false, eos: false).SequenceEqual(raw[i])).ToList();
        output.WriteLine($"{name}: llama.cpp gives our ids on {texts.Count - differing.Count} of {texts.Count} strings" +
            (nfc ? $" ({texts.Count - rawDiffering.Count} when given text not in NFC as it is)" : ""));
        foreach (int i in differing.Concat(rawDiffering).Distinct().Take(10))
        {
            output.WriteLine($"  {System.Text.Json.JsonSerializer.Serialize(texts[i])}: ours {string.Join(' ', ours.Encode(texts[i], false, false))} llama.cpp {string.Join(' ', raw[i])}");
        }
        Assert.True(texts.Count >= 200);
        Assert.Empty(differing);
        Assert.All(rawDiffering, i => Assert.NotEqual(texts[i], normalized[i])); // only text not in NFC differs
    }

    [LlamaCppFact(needsSharedData: true)]
    public void Fedspine_base_tokenizes_Austen_lines_to_our_ids()
    {
        using var temp = new TempFolder();
        var model = Exports.Export(Exports.Repo("models/fedspine-base"), null, temp.File("m.gguf"));
        var lines = SharedData.AustenLines("persuasion").Take(2000).ToList();
        var theirs = LlamaCpp.Tokenize(temp.File("m.gguf"), lines, bos: true);
        var differing = Enumerable.Range(0, lines.Count).Where(i => !model.Tokenizer!.Encode(lines[i], bos: true, eos: false).SequenceEqual(theirs[i])).ToList();
        output.WriteLine($"fedspine-base: llama.cpp gives our ids on {lines.Count - differing.Count} of {lines.Count} lines of Persuasion");
        foreach (int i in differing.Take(10))
        {
            output.WriteLine($"  {System.Text.Json.JsonSerializer.Serialize(lines[i])}: ours {string.Join(' ', model.Tokenizer!.Encode(lines[i], true, false))} llama.cpp {string.Join(' ', theirs[i])}");
        }
        Assert.Equal(2000, lines.Count);
        Assert.Empty(differing);
    }

    [LlamaCppFact]
    public void A_byte_level_split_llama_cpp_lacks_is_refused_at_export()
    {
        using var temp = new TempFolder();
        Exports.FamilyWithRealTokenizer(temp.File("model"), "smollm2", "qwen3-digits-gpt2", seed: 3);
        var e = Assert.Throws<ArgumentException>(() => Exports.Export(temp.File("model"), null, temp.File("m.gguf")));
        Assert.Contains("ByteLevel(add_prefix_space=True, use_regex=True)", e.Message, StringComparison.Ordinal);
        Assert.Contains("export --format hf instead", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("m.gguf")));
    }
}
