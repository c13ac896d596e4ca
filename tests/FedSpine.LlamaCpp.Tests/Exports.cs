// The models the llama.cpp agreement tests export, each through what `fedspine export --format gguf` runs (ModelLoader.Load
// of a model path and tokenizer, then GgufWriter.Save): stories260K, it pruned, models/fedspine-base, a byte-level family.
using System.IO.Compression;
using System.Text.Json.Nodes;
using FedSpine.Model;
using FedSpine.Model.Formats;
using FedSpine.Pruning;

namespace FedSpine.LlamaCpp.Tests;

internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("fedspine-llamacpp-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

internal static class Exports
{
    public static string Repo(string relative) =>
        Path.Combine(SharedData.RepoRoot ?? throw new InvalidOperationException("repository root (FedSpine.slnx) not found"), relative);

    /// <summary>`fedspine export --format gguf --model <paramref name="model"/> [--tokenizer t] --out <paramref name="gguf"/>`.</summary>
    public static LoadedModel Export(string model, string? tokenizer, string gguf, GgmlType type = GgmlType.F32)
    {
        var loaded = ModelLoader.Load(model, tokenizer, requireTokenizer: false);
        GgufWriter.Save(gguf, loaded.Weights, loaded.Tokenizer, type);
        return ModelLoader.Load(model, tokenizer);
    }

    /// <summary>`fedspine prune --model stories260K.bin --sparsity <paramref name="ratio"/>` by magnitude, as an HF folder.</summary>
    public static void PruneStories260K(string folder, double ratio, PruningOptions? options = null)
    {
        var (_, model) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        var pruned = StructuredPruner.Prune(model, StructuredPruner.Score(model, new MagnitudeImportance()), ratio, options);
        HfModelFolder.Save(folder, pruned.Weights);
    }

    /// <summary>A real tokenizer of tests/fixtures/tokenizers as folder/tokenizer.json and tokenizer_config.json; a variant
    /// (qwen3-digits-gpt2) gets the pre_tokenizer its golden file names. Returns the tokenizer.json path.</summary>
    public static string UnpackTokenizer(string folder, string name)
    {
        Directory.CreateDirectory(folder);
        string baseName = name.Split('-')[0];
        string tokenizerJson = Path.Combine(folder, "tokenizer.json");
        using (var input = new GZipStream(File.OpenRead(Repo($"tests/fixtures/tokenizers/{baseName}.tokenizer.json.gz")), CompressionMode.Decompress))
        using (var output = File.Create(tokenizerJson))
        {
            input.CopyTo(output);
        }
        File.Copy(Repo($"tests/fixtures/tokenizers/{baseName}.tokenizer_config.json"), Path.Combine(folder, "tokenizer_config.json"));
        if (JsonNode.Parse(File.ReadAllText(GoldenPath(name)))!["pre_tokenizer"] is JsonNode preTokenizer)
        {
            var json = JsonNode.Parse(File.ReadAllText(tokenizerJson))!;
            json["pre_tokenizer"] = preTokenizer.DeepClone();
            File.WriteAllText(tokenizerJson, json.ToJsonString());
        }
        return tokenizerJson;
    }

    /// <summary>The strings of a tokenizer's golden file (263 to 272 varied texts: English, code, emoji, CJK, spaces, specials).</summary>
    public static IReadOnlyList<string> GoldenTexts(string name) =>
        JsonNode.Parse(File.ReadAllText(GoldenPath(name)))!["cases"]!.AsArray().Select(c => c!["text"]!.GetValue<string>()).ToList();

    private static string GoldenPath(string name) => Repo($"tests/fixtures/tokenizers/{name}.golden.json");

    /// <summary>An HF folder of a fixture family's config (tests/fixtures/hf-families) with the vocabulary of a real tokenizer
    /// (tests/fixtures/tokenizers) and seeded random weights: the family's shape with a real byte-level tokenizer.</summary>
    public static void FamilyWithRealTokenizer(string folder, string family, string tokenizer, ulong seed)
    {
        var tok = ModelLoader.LoadTokenizer(UnpackTokenizer(folder, tokenizer));
        var json = JsonNode.Parse(File.ReadAllText(Repo($"tests/fixtures/hf-families/{family}/config.json")))!.AsObject();
        json["vocab_size"] = tok.VocabSize;
        json["bos_token_id"] = tok.BosId;
        json["eos_token_id"] = tok.EosId;
        string configPath = Path.Combine(folder, "config.json");
        File.WriteAllText(configPath, json.ToJsonString());
        var weights = RandomModels.Weights(HfConfigJson.Read(configPath), seed, std: 0.5f);
        HfModelFolder.Save(folder, weights);
    }
}
