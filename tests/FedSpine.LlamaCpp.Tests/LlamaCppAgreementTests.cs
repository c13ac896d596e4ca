// llama.cpp runs our GGUF exports as we do: it tokenizes a prompt to our ids and greedy-decodes our 40 tokens, for
// stories260K (llama2.c tokenizer), it 50% pruned, models/fedspine-base (byte-fallback BPE tokenizer.json) and a byte-level one.
using FedSpine.Model;
using Xunit.Abstractions;

namespace FedSpine.LlamaCpp.Tests;

public class LlamaCppAgreementTests(ITestOutputHelper output)
{
    private const int Steps = 40;

    [LlamaCppFact]
    public void Stories260K()
    {
        using var temp = new TempFolder();
        var model = Exports.Export(SharedData.Stories260K, SharedData.Tok512, temp.File("m.gguf"));
        AssertAgrees(temp.File("m.gguf"), model, "Once upon a time, there was a little girl named Lily");
    }

    [LlamaCppFact]
    public void Stories260K_pruned_by_half()
    {
        using var temp = new TempFolder();
        string folder = temp.File("pruned");
        Exports.PruneStories260K(folder, 0.5);
        var model = Exports.Export(folder, SharedData.Tok512, temp.File("m.gguf"));
        Assert.Equal(4, model.Weights.Config.NumAttentionHeads);
        AssertAgrees(temp.File("m.gguf"), model, "Once upon a time, there was a little girl named Lily");
    }

    [LlamaCppFact]
    public void Fedspine_base()
    {
        using var temp = new TempFolder();
        var model = Exports.Export(Exports.Repo("models/fedspine-base"), null, temp.File("m.gguf"));
        AssertAgrees(temp.File("m.gguf"), model, "It is a truth universally acknowledged, that Mrs. Bennet\u2019s daughters");
    }

    [LlamaCppTheory]
    [InlineData("llama32", "llama3")]
    [InlineData("qwen25", "qwen3")]
    public void Family_with_a_byte_level_tokenizer(string family, string tokenizer)
    {
        using var temp = new TempFolder();
        string folder = temp.File(family);
        Exports.FamilyWithRealTokenizer(folder, family, tokenizer, seed: 7);
        var model = Exports.Export(folder, null, temp.File("m.gguf"));
        AssertAgrees(temp.File("m.gguf"), model, "Hello world! It's 2024:  naïve café, 你好 🙂\n\tx += 12345;");
    }

    private void AssertAgrees(string gguf, LoadedModel model, string prompt)
    {
        int[] ours = model.Tokenizer!.Encode(prompt, bos: true, eos: false);
        int[] theirs = LlamaCpp.Tokenize(gguf, [prompt], bos: true)[0];
        output.WriteLine($"prompt ids, ours:      {string.Join(' ', ours)}");
        output.WriteLine($"prompt ids, llama.cpp: {string.Join(' ', theirs)}");
        Assert.Equal(ours, theirs);
        int[] ourTokens = OurEngine.Greedy(model.Weights, ours, Steps);
        int[] theirTokens = LlamaCpp.Greedy(gguf, ours, Steps);
        output.WriteLine($"greedy, ours:      {string.Join(' ', ourTokens)}");
        output.WriteLine($"greedy, llama.cpp: {string.Join(' ', theirTokens)}");
        Assert.True(ourTokens.Distinct().Count() >= 8, "the continuation is too repetitive to tell engines apart");
        Assert.Equal(ourTokens, theirTokens);
    }
}
