// llama.cpp runs our GGUF exports as we do: it tokenizes a prompt to our ids, greedy-decodes our 40 tokens and its logits stay
// within 1e-3 of ours, for stories260K (llama2.c tokenizer), it pruned (evenly, and with layers excluded: "deci"),
// models/fedspine-base (byte-fallback BPE tokenizer.json), and Llama 3.2 / Qwen2.5 shapes with real byte-level tokenizers.
using FedSpine.Model;
using FedSpine.Model.Formats;
using FedSpine.Pruning;
using Xunit.Abstractions;

namespace FedSpine.LlamaCpp.Tests;

public class LlamaCppAgreementTests(ITestOutputHelper output)
{
    private const int Steps = 40;

    [LlamaCppFact(needsSharedData: true)]
    public void Stories260K()
    {
        using var temp = new TempFolder();
        var model = Exports.Export(SharedData.Stories260K, SharedData.Tok512, temp.File("m.gguf"));
        AssertAgrees(temp.File("m.gguf"), model, "Once upon a time, there was a little girl named Lily");
    }

    [LlamaCppFact(needsSharedData: true)]
    public void Stories260K_pruned_by_half()
    {
        using var temp = new TempFolder();
        string folder = temp.File("pruned");
        Exports.PruneStories260K(folder, 0.5);
        var model = Exports.Export(folder, SharedData.Tok512, temp.File("m.gguf"));
        Assert.Equal(4, model.Weights.Config.NumAttentionHeads);
        AssertAgrees(temp.File("m.gguf"), model, "Once upon a time, there was a little girl named Lily");
    }

    [LlamaCppFact(needsSharedData: true)]
    public void Stories260K_pruned_with_layers_0_and_4_excluded()
    {
        using var temp = new TempFolder();
        string folder = temp.File("pruned");
        Exports.PruneStories260K(folder, 0.5, new PruningOptions { ExcludedLayers = [0, 4] });
        var model = Exports.Export(folder, SharedData.Tok512, temp.File("m.gguf"));
        Assert.Equal([8, 4, 4, 4, 8], model.Weights.LayerShapes.Select(s => s.Heads));
        Assert.Equal([172, 86, 86, 86, 172], model.Weights.LayerShapes.Select(s => s.FfnChannels));
        using (var file = GgufFile.Read(temp.File("m.gguf")))
        {
            Assert.Equal("deci", file.Find("general.architecture")!.AsString()); // llama.cpp's llama loader refuses per-layer shapes
        }
        AssertAgrees(temp.File("m.gguf"), model, "Once upon a time, there was a little girl named Lily");
    }

    [LlamaCppTheory]
    [InlineData("llama32", "llama3")]
    [InlineData("qwen25", "qwen3")]
    public void Family_pruned_with_a_layer_excluded(string family, string tokenizer)
    {
        using var temp = new TempFolder();
        string dense = temp.File(family);
        Exports.FamilyWithRealTokenizer(dense, family, tokenizer, seed: 11);
        var (_, weights) = HfModelFolder.Load(dense);
        var pruned = StructuredPruner.Prune(weights, StructuredPruner.Score(weights, new MagnitudeImportance()), 0.5,
            new PruningOptions { ExcludedLayers = [1] });
        Assert.NotEqual(pruned.Weights.LayerShapes[0], pruned.Weights.LayerShapes[1]);
        string folder = temp.File("pruned");
        HfModelFolder.Save(folder, pruned.Weights);
        File.Copy(Path.Combine(dense, "tokenizer.json"), Path.Combine(folder, "tokenizer.json"));
        File.Copy(Path.Combine(dense, "tokenizer_config.json"), Path.Combine(folder, "tokenizer_config.json"));
        var model = Exports.Export(folder, null, temp.File("m.gguf"));
        AssertAgrees(temp.File("m.gguf"), model, "Hello world! It's 2024:  naïve café, 你好 🙂\n\tx += 12345;");
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
        var (ourTokens, ourLogits) = OurEngine.Greedy(model.Weights, ours, Steps);
        var (theirTokens, theirLogits) = LlamaCpp.Greedy(gguf, ours, Steps);
        output.WriteLine($"greedy, ours:      {string.Join(' ', ourTokens)}");
        output.WriteLine($"greedy, llama.cpp: {string.Join(' ', theirTokens)}");
        int same = ourTokens.Zip(theirTokens).TakeWhile(p => p.First == p.Second).Count();
        var maxDiff = Enumerable.Range(0, Math.Min(same + 1, Steps))
            .Select(step => ourLogits[step].Zip(theirLogits[step]).Max(p => Math.Abs(p.First - p.Second))).ToArray();
        float smallestGap = Enumerable.Range(0, Steps).Min(step => TopTwoGap(ourLogits[step]));
        output.WriteLine($"same tokens for {same} of {Steps} steps; max |logit difference| {maxDiff.Max():g3} (step {Array.IndexOf(maxDiff, maxDiff.Max())}); " +
            $"smallest top-two gap of ours {smallestGap:g3}");
        Assert.All(maxDiff, d => Assert.InRange(d, 0f, 1e-3f));
        Assert.True(ourTokens.Distinct().Count() >= 8, "the continuation is too repetitive to tell engines apart");
        Assert.Equal(ourTokens, theirTokens);
    }

    private static float TopTwoGap(float[] logits)
    {
        var top = logits.OrderDescending().Take(2).ToArray();
        return top[0] - top[1];
    }
}
