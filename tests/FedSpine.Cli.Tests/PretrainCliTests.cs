// `fedspine pretrain` as a process: a tiny model trains on Austen text, writes an HF folder that `generate` runs,
// its log and summary; --resume continues to the same weights as an uninterrupted run; misuse is one clear line.
using System.Text.Json;
using FedSpine.Model.Tokenizers;

namespace FedSpine.Cli.Tests;

public sealed class PretrainCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fedspine-pretrain-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [SharedDataFact]
    public void PretrainedFolderGeneratesAndResumeMatchesAnUninterruptedRun()
    {
        string tokenizer = Tokenizer();
        string text = Text();
        string whole = Path.Combine(_dir, "whole");
        var run = CliRunner.Run(Args(text, tokenizer, whole, steps: 8));
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("step 4: val ppl", run.StdoutText);
        foreach (string file in new[] { "config.json", "model.safetensors", "tokenizer.json", "checkpoint.safetensors", "training_log.jsonl", "pretrain_summary.json" })
        {
            Assert.True(File.Exists(Path.Combine(whole, file)), file);
        }
        var log = File.ReadAllLines(Path.Combine(whole, "training_log.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(Enumerable.Range(1, 8), log.Select(e => e.GetProperty("step").GetInt32()));
        Assert.True(log[3].GetProperty("val_ppl").GetDouble() > 1);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(whole, "pretrain_summary.json")));
        Assert.Equal(8L * 4 * 32, summary.RootElement.GetProperty("tokens_seen").GetInt64());
        Assert.True(summary.RootElement.GetProperty("best_val_ppl").GetDouble() <= summary.RootElement.GetProperty("final_val_ppl").GetDouble() + 1e-9);

        var generate = CliRunner.Run("generate", "--model", whole, "--prompt", "Anne", "--steps", "12", "--temperature", "0");
        Assert.True(generate.ExitCode == 0, generate.Stderr);
        Assert.StartsWith("Anne", generate.StdoutText);

        string split = Path.Combine(_dir, "split");
        var first = CliRunner.Run([.. Args(text, tokenizer, split, steps: 8), "--stop-after", "3"]);
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains("stopped at step 3 of 8", first.StdoutText);
        Assert.False(File.Exists(Path.Combine(split, "model.safetensors")));
        var again = CliRunner.Run(Args(text, tokenizer, split, steps: 8));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("--resume", again.Stderr);
        var resumed = CliRunner.Run([.. Args(text, tokenizer, split, steps: 8), "--resume"]);
        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.Equal(File.ReadAllBytes(Path.Combine(whole, "model.safetensors")), File.ReadAllBytes(Path.Combine(split, "model.safetensors")));
        Assert.Equal(File.ReadAllLines(Path.Combine(whole, "training_log.jsonl")).Select(StepAndLoss),
                     File.ReadAllLines(Path.Combine(split, "training_log.jsonl")).Select(StepAndLoss));
    }

    [SharedDataFact]
    public void MissingCheckpointOrMismatchedSettingsAreOneLineErrors()
    {
        string tokenizer = Tokenizer();
        string text = Text();
        string outDir = Path.Combine(_dir, "out");
        var missing = CliRunner.Run([.. Args(text, tokenizer, outDir, steps: 4), "--resume"]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no pretraining checkpoint", missing.Stderr);
        Assert.True(CliRunner.Run(Args(text, tokenizer, outDir, steps: 4)).ExitCode == 0);
        var mismatch = CliRunner.Run([.. Args(text, tokenizer, outDir, steps: 4), "--resume", "--lr", "1e-3"]);
        Assert.Equal(1, mismatch.ExitCode);
        Assert.Contains("lr: 0.003 → 0.001", mismatch.Stderr);
        Assert.Single(mismatch.Stderr.Split('\n'), line => line.StartsWith("error:", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", mismatch.Stderr);
    }

    private static (int, double) StepAndLoss(string line)
    {
        var e = JsonDocument.Parse(line).RootElement;
        return (e.GetProperty("step").GetInt32(), e.GetProperty("loss").GetDouble());
    }

    private static string[] Args(string text, string tokenizer, string outDir, int steps) =>
    [
        "pretrain", "--data", text, "--tokenizer", tokenizer, "--out", outDir, "--hidden", "32", "--layers", "2", "--heads", "4",
        "--kv-heads", "2", "--ffn", "48", "--context", "64", "--batch", "4", "--seq-len", "32", "--steps", steps.ToString(),
        "--warmup", "2", "--eval-every", "4", "--checkpoint-every", "8",
    ];

    private string Tokenizer()
    {
        Directory.CreateDirectory(_dir);
        string path = Path.Combine(_dir, "tokenizer.json");
        HfTokenizer.FromLlama2c(Llama2cTokenizer.Load(SharedData.Tok512)).Save(path);
        return path;
    }

    private string Text()
    {
        string path = Path.Combine(_dir, "persuasion.txt");
        File.WriteAllText(path, string.Join("\n\n", SharedData.AustenParagraphs("persuasion").Take(200)));
        return path;
    }
}
