// The real tokenizer.json files under tests/fixtures/tokenizers (gzip-compressed, each with its tokenizer_config.json)
// and their golden ids, unpacked once per test run into a temporary folder laid out as a model folder would be. A variant
// (a golden naming a "pre_tokenizer") is its base file with that pre_tokenizer put in, as make_golden.mjs does.
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Tests.Tokenizers;

/// <summary>One golden string: its ids from @huggingface/tokenizers (no added BOS/EOS) and the text those ids decode to.</summary>
public sealed record GoldenCase(string Text, int[] Ids, string Decoded);

public sealed record GoldenFile(int Bos, int Eos, IReadOnlyList<GoldenCase> Cases);

public static class RealTokenizerFiles
{
    private static readonly string[] All = ["llama3", "qwen3", "mistral", "llama2", "qwen3-digits-gpt2"];

    private static readonly Dictionary<string, Lazy<HfTokenizer>> Loaded = All.ToDictionary(n => n, n => new Lazy<HfTokenizer>(() => HfTokenizer.Load(Unpack(n))));

    public static TheoryData<string> Names => new(All);

    public static string Folder => Path.Combine(SharedData.RepoRoot ?? throw new InvalidOperationException("repository root not found"), "tests", "fixtures", "tokenizers");

    public static HfTokenizer Tokenizer(string name) => Loaded[name].Value;

    /// <summary>The fixture as <c>folder/tokenizer.json</c> + <c>folder/tokenizer_config.json</c>; returns the tokenizer.json path.</summary>
    public static string Unpack(string name, string? folder = null)
    {
        folder ??= Path.Combine(Path.GetTempPath(), $"fedspine-tokenizers-{Environment.ProcessId}", name);
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "tokenizer.json");
        string baseName = name.Split('-')[0];
        using (var input = new GZipStream(File.OpenRead(Path.Combine(Folder, $"{baseName}.tokenizer.json.gz")), CompressionMode.Decompress))
        using (var output = File.Create(path))
        {
            input.CopyTo(output);
        }
        File.Copy(Path.Combine(Folder, $"{baseName}.tokenizer_config.json"), Path.Combine(folder, "tokenizer_config.json"), overwrite: true);
        var golden = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, $"{name}.golden.json")))!;
        if (golden["pre_tokenizer"] is JsonNode preTokenizer)
        {
            var json = JsonNode.Parse(File.ReadAllText(path))!;
            json["pre_tokenizer"] = preTokenizer.DeepClone();
            File.WriteAllText(path, json.ToJsonString());
        }
        return path;
    }

    public static GoldenFile Golden(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, $"{name}.golden.json")));
        var root = document.RootElement;
        var cases = root.GetProperty("cases").EnumerateArray()
            .Select(c => new GoldenCase(c.GetProperty("text").GetString()!, c.GetProperty("ids").EnumerateArray().Select(i => i.GetInt32()).ToArray(),
                c.GetProperty("decoded").GetString()!))
            .ToList();
        return new GoldenFile(root.GetProperty("bos").GetInt32(), root.GetProperty("eos").GetInt32(), cases);
    }
}
