// Our GGUF read by a parser this project did not write: @huggingface/gguf (npm, pinned in tests/fixtures/gguf-reader).
// npm ci runs once when node_modules is absent; read.mjs prints what the parser saw as JSON, checked against expectations.
using System.Diagnostics;
using System.Text.Json;
using FedSpine.Model.Formats;
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Tests.Formats;

public class GgufExternalReaderTests
{
    private static readonly object InstallLock = new();

    private static string Fixture => Path.Combine(SharedData.RepoRoot!, "tests", "fixtures", "gguf-reader");

    [NodeFact]
    public void HuggingFace_gguf_reads_our_stories260K_export()
    {
        var (config, weights) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        using var temp = new TempFolder();
        string path = temp.File("stories260K.gguf");
        GgufWriter.Save(path, weights, Llama2cTokenizer.Load(SharedData.Tok512), GgmlType.F16, "stories260K");

        using var seen = ReadWithHuggingFace(path);
        var root = seen.RootElement;

        Assert.Equal("llama", root.GetProperty("architecture").GetString());
        Assert.Equal(3, root.GetProperty("version").GetInt32());
        Assert.True(root.GetProperty("littleEndian").GetBoolean());
        var expected = new List<string> { "token_embd.weight [64,512] F16" };
        for (int i = 0; i < config.NumHiddenLayers; i++)
        {
            expected.AddRange(
            [
                $"blk.{i}.attn_norm.weight [64] F32", $"blk.{i}.attn_q.weight [64,64] F16", $"blk.{i}.attn_k.weight [64,32] F16",
                $"blk.{i}.attn_v.weight [64,32] F16", $"blk.{i}.attn_output.weight [64,64] F16", $"blk.{i}.ffn_norm.weight [64] F32",
                $"blk.{i}.ffn_gate.weight [64,172] F16", $"blk.{i}.ffn_up.weight [64,172] F16", $"blk.{i}.ffn_down.weight [172,64] F16",
            ]);
        }
        expected.Add("output_norm.weight [64] F32");
        var tensors = root.GetProperty("tensors").EnumerateArray().ToList();
        Assert.Equal(expected, tensors.Select(t => $"{t.GetProperty("name").GetString()} {t.GetProperty("shape").GetRawText()} {t.GetProperty("dtype").GetString()}"));
        using (var ours = GgufFile.Read(path))
        {
            Assert.Equal(ours.Tensors.Select(t => t.Offset), tensors.Select(t => t.GetProperty("offset").GetInt64()));
            Assert.Equal(ours.DataStart, root.GetProperty("tensorDataOffset").GetInt64());
            Assert.Equal(ours.Metadata.Count, root.GetProperty("kvCount").GetInt32());
        }

        var metadata = root.GetProperty("metadata");
        string Typed(string key) => $"{metadata.GetProperty(key).GetProperty("type").GetString()} {metadata.GetProperty(key).GetProperty("value").GetRawText()}";
        Assert.Equal("STRING \"llama\"", Typed("general.architecture"));
        Assert.Equal("STRING \"stories260K\"", Typed("general.name"));
        Assert.Equal("UINT32 32", Typed("general.alignment"));
        Assert.Equal("UINT32 1", Typed("general.file_type"));
        Assert.Equal("UINT32 512", Typed("llama.vocab_size"));
        Assert.Equal("UINT32 512", Typed("llama.context_length"));
        Assert.Equal("UINT32 64", Typed("llama.embedding_length"));
        Assert.Equal("UINT32 5", Typed("llama.block_count"));
        Assert.Equal("UINT32 172", Typed("llama.feed_forward_length"));
        Assert.Equal("UINT32 8", Typed("llama.attention.head_count"));
        Assert.Equal("UINT32 4", Typed("llama.attention.head_count_kv"));
        Assert.Equal("UINT32 8", Typed("llama.attention.key_length"));
        Assert.Equal("UINT32 8", Typed("llama.rope.dimension_count"));
        Assert.Equal("FLOAT32 10000", Typed("llama.rope.freq_base"));
        Assert.Equal(1e-5, metadata.GetProperty("llama.attention.layer_norm_rms_epsilon").GetProperty("value").GetDouble(), 1e-11);
        Assert.Equal("STRING \"llama\"", Typed("tokenizer.ggml.model"));
        Assert.Equal("UINT32 1", Typed("tokenizer.ggml.bos_token_id"));
        Assert.Equal("UINT32 2", Typed("tokenizer.ggml.eos_token_id"));
        var tokens = metadata.GetProperty("tokenizer.ggml.tokens");
        Assert.Equal(("ARRAY", "STRING", 512), (tokens.GetProperty("type").GetString(), tokens.GetProperty("subType").GetString(), tokens.GetProperty("value").GetArrayLength()));
        Assert.Equal(["<unk>", "<s>", "</s>"], tokens.GetProperty("value").EnumerateArray().Take(3).Select(t => t.GetString()));
        Assert.Equal("INT32", metadata.GetProperty("tokenizer.ggml.token_type").GetProperty("subType").GetString());
        Assert.Equal("FLOAT32", metadata.GetProperty("tokenizer.ggml.scores").GetProperty("subType").GetString());
    }

    [NodeFact]
    public void HuggingFace_gguf_reads_per_layer_counts_of_a_pruned_export()
    {
        var config = TinyModels.Config(tied: false) with { NumHiddenLayers = 3 };
        var weights = FormatsTestData.SeededWeights(config, [new(4, 2, 37), new(2, 1, 20), new(4, 1, 5)]);
        using var temp = new TempFolder();
        string path = temp.File("pruned.gguf");
        GgufWriter.Save(path, weights);

        using var seen = ReadWithHuggingFace(path);
        var metadata = seen.RootElement.GetProperty("metadata");

        string Typed(string key) => $"{metadata.GetProperty(key).GetProperty("type").GetString()}/{metadata.GetProperty(key).GetProperty("subType").GetString()} " +
                                    metadata.GetProperty(key).GetProperty("value").GetRawText();
        Assert.Equal("STRING \"deci\"", $"{metadata.GetProperty("general.architecture").GetProperty("type").GetString()} {metadata.GetProperty("general.architecture").GetProperty("value").GetRawText()}");
        Assert.Equal("ARRAY/UINT32 [4,2,4]", Typed("deci.attention.head_count"));
        Assert.Equal("ARRAY/UINT32 [2,1,1]", Typed("deci.attention.head_count_kv"));
        Assert.Equal("ARRAY/UINT32 [37,20,5]", Typed("deci.feed_forward_length"));
        var shapes = seen.RootElement.GetProperty("tensors").EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("shape").GetRawText());
        Assert.Equal("[24,16]", shapes["blk.1.attn_q.weight"]);
        Assert.Equal("[24,8]", shapes["blk.1.attn_k.weight"]);
        Assert.Equal("[5,24]", shapes["blk.2.ffn_down.weight"]);
        Assert.Equal("[24,29]", shapes["output.weight"]);
    }

    /// <summary>Runs read.mjs on the file (after a one-time npm ci) and returns its JSON.</summary>
    private static JsonDocument ReadWithHuggingFace(string ggufPath)
    {
        lock (InstallLock)
        {
            if (!Directory.Exists(Path.Combine(Fixture, "node_modules", "@huggingface", "gguf")))
            {
                var (code, output) = Run(NodeFactAttribute.OnPath("npm")!, ["ci", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5));
                Assert.True(code == 0, $"npm ci in {Fixture} failed ({code}):\n{output}");
            }
        }
        var (exit, json) = Run(NodeFactAttribute.OnPath("node")!, ["read.mjs", ggufPath], TimeSpan.FromMinutes(1));
        Assert.True(exit == 0, $"node read.mjs {ggufPath} failed ({exit}):\n{json}");
        return JsonDocument.Parse(json);
    }

    /// <summary>Exit code and output (stdout, then stderr when it failed) of a program run in the fixture folder.</summary>
    private static (int ExitCode, string Output) Run(string program, string[] arguments, TimeSpan timeout)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = Fixture,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout}\n{stdout}\n{stderr.Result}");
        }
        return (process.ExitCode, process.ExitCode == 0 ? stdout : $"{stdout}\n{stderr.Result}");
    }
}
