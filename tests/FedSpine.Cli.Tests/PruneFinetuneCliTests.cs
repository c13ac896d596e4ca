// `fedspine prune`, `finetune`, `eval` and `export` as processes on stories260K: a 50% pruned model is a standard
// HF folder that generate accepts; a fine-tuned run's merged model and base + PEFT adapter evaluate identically.
namespace FedSpine.Cli.Tests;

public sealed class PruneFinetuneCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fedspine-prune-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Vader => SharedData.File("data/vader/movieReviewSnippets_GroundTruth.txt");

    [SharedDataFact]
    public void PruneHalfGivesAStandardSmallerFolderThatGenerates()
    {
        string outDir = Path.Combine(_dir, "p50");
        var prune = CliRunner.Run("prune", "--model", SharedData.Stories260K, "--tokenizer", SharedData.Tok512, "--sparsity", "0.5", "--out", outDir);
        Assert.True(prune.ExitCode == 0, prune.Stderr);
        Assert.Contains("parameters 156,992 (was 260,032)", prune.StdoutText);
        string config = File.ReadAllText(Path.Combine(outDir, "config.json"));
        Assert.Contains("\"num_attention_heads\": 4", config);
        Assert.Contains("\"intermediate_size\": 86", config);
        Assert.True(File.Exists(Path.Combine(outDir, "tokenizer.json")));
        var generate = CliRunner.Run("generate", "--model", outDir, "--prompt", "Once upon a time", "--steps", "20", "--temperature", "0");
        Assert.True(generate.ExitCode == 0, generate.Stderr);
        Assert.StartsWith("Once upon a time", generate.StdoutText);
        Assert.DoesNotContain("transformers cannot load", prune.Stderr, StringComparison.Ordinal);
    }

    [SharedDataFact]
    public void PruneWithExcludedLayersSaysWhereTheFolderLoads()
    {
        string outDir = Path.Combine(_dir, "p50x");
        var prune = CliRunner.Run("prune", "--model", SharedData.Stories260K, "--tokenizer", SharedData.Tok512, "--sparsity", "0.5",
            "--exclude-layers", "0,4", "--out", outDir);
        Assert.True(prune.ExitCode == 0, prune.Stderr);
        Assert.Contains("note: layer 1 has 4 heads, 4 KV heads and 86 FFN channels where layer 0 has 8, 4 and 172: Hugging Face transformers cannot load",
            prune.Stderr, StringComparison.Ordinal);
        var gguf = CliRunner.Run("export", "--model", outDir, "--format", "gguf", "--out", Path.Combine(_dir, "x.gguf"));
        Assert.True(gguf.ExitCode == 0, gguf.Stderr);
        using var file = FedSpine.Model.Formats.GgufFile.Read(Path.Combine(_dir, "x.gguf"));
        Assert.Equal("deci", file.Find("general.architecture")!.AsString()); // llama.cpp's architecture with per-layer counts
    }

    [SharedDataFact]
    public void FinetuneWritesModelsThatEvaluateTheSameMergedOrWithAdapter()
    {
        string outDir = Path.Combine(_dir, "ft");
        var ft = CliRunner.Run("finetune", "--model", SharedData.Stories260K, "--tokenizer", SharedData.Tok512, "--task", "vader", "--data", Vader,
            "--steps", "30", "--batch", "8", "--seq-len", "32", "--sparsity", "0.25", "--interval", "5", "--out", outDir);
        Assert.True(ft.ExitCode == 0, ft.Stderr);
        Assert.Contains("accuracy:", ft.StdoutText);
        foreach (string f in new[] { "model/config.json", "base/model.safetensors", "adapter/adapter_config.json", "adapter/adapter_model.safetensors", "head.safetensors", "mask.json", "summary.json" })
        {
            Assert.True(File.Exists(Path.Combine(outDir, f)), f);
        }
        string[] common = ["--task", "vader", "--data", Vader, "--head", Path.Combine(outDir, "head.safetensors"), "--seq-len", "32"];
        var merged = CliRunner.Run(["eval", "--model", Path.Combine(outDir, "model"), .. common]);
        var adapted = CliRunner.Run(["eval", "--model", Path.Combine(outDir, "base"), "--adapter", Path.Combine(outDir, "adapter"), .. common]);
        Assert.True(merged.ExitCode == 0, merged.Stderr);
        Assert.StartsWith("accuracy: ", merged.StdoutText);
        Assert.Equal(merged.StdoutText, adapted.StdoutText);

        var gguf = CliRunner.Run("export", "--model", Path.Combine(outDir, "model"), "--format", "gguf", "--out", Path.Combine(_dir, "m.gguf"));
        Assert.True(gguf.ExitCode == 0, gguf.Stderr);
        Assert.True(new FileInfo(Path.Combine(_dir, "m.gguf")).Length > 100_000);
    }

    [SharedDataFact]
    public void SparsityLeavingNoHeadFailsBeforeWork()
    {
        var result = CliRunner.Run("prune", "--model", SharedData.Stories260K, "--sparsity", "0.99", "--out", Path.Combine(_dir, "x"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "x")));
    }

    [SharedDataFact]
    public void RankLargerThanAModuleFailsBeforeWork()
    {
        var result = CliRunner.Run("finetune", "--model", SharedData.Stories260K, "--tokenizer", SharedData.Tok512, "--task", "vader", "--data", Vader,
            "--rank", "40", "--steps", "5", "--out", Path.Combine(_dir, "y"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("rank 40", result.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_dir, "y")));
    }

    [SharedDataFact]
    public void AdapterOfAnotherShapeIsRejected()
    {
        string outDir = Path.Combine(_dir, "ft");
        var ft = CliRunner.Run("finetune", "--model", SharedData.Stories260K, "--tokenizer", SharedData.Tok512, "--task", "lm",
            "--data", SharedData.File("data/austen/persuasion.txt"), "--steps", "4", "--batch", "2", "--seq-len", "16", "--sparsity", "0.5", "--interval", "1", "--out", outDir);
        Assert.True(ft.ExitCode == 0, ft.Stderr);
        var result = CliRunner.Run("eval", "--model", SharedData.Stories260K, "--tokenizer", SharedData.Tok512, "--adapter", Path.Combine(outDir, "adapter"),
            "--task", "lm", "--data", SharedData.File("data/austen/persuasion.txt"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr);
        Assert.Contains("adapter", result.Stderr);
    }
}
