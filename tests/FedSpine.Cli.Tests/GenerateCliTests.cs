// `fedspine generate` as a process: stdout is byte for byte what llama2.c's run.c printed for the golden cases,
// from the .bin checkpoint and from an HF folder made by `fedspine convert` (tokenizer.json found in the folder).
using System.Text.Json;

namespace FedSpine.Cli.Tests;

public sealed class GenerateCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fedspine-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    public static TheoryData<int> Cases() => new() { 0, 1, 4, 7, 9 };

    [SharedDataTheory]
    [MemberData(nameof(Cases))]
    public void GreedyOutputEqualsRunC(int index)
    {
        var (prompt, steps, text) = Golden(index);
        var result = CliRunner.Run("generate", "--model", SharedData.Stories260K, "--tokenizer", SharedData.Tok512,
            "--prompt", prompt, "--steps", steps.ToString(), "--temperature", "0");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(text, result.StdoutText);
        Assert.Contains("achieved tok/s", result.Stderr);
    }

    [SharedDataFact]
    public void ConvertedFolderGeneratesTheSameWithoutATokenizerFlag()
    {
        var convert = CliRunner.Run("convert", "--model", SharedData.Stories260K, "--tokenizer", SharedData.Tok512, "--out", _dir);
        Assert.True(convert.ExitCode == 0, convert.Stderr);
        Assert.True(File.Exists(Path.Combine(_dir, "config.json")));
        Assert.True(File.Exists(Path.Combine(_dir, "tokenizer.json")));
        var (prompt, steps, text) = Golden(2);
        var result = CliRunner.Run("generate", "--model", _dir, "--prompt", prompt, "--steps", steps.ToString(), "--temperature", "0");
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(text, result.StdoutText);
    }

    [SharedDataFact]
    public void SameSeedSamplesTheSameText()
    {
        string[] args = ["generate", "--model", SharedData.Stories260K, "--tokenizer", SharedData.Tok512, "--prompt", "The cat",
            "--steps", "80", "--temperature", "0.9", "--top-p", "0.9", "--seed", "7"];
        var a = CliRunner.Run(args);
        var b = CliRunner.Run(args);
        var c = CliRunner.Run([.. args[..^1], "8"]);
        Assert.Equal(0, a.ExitCode);
        Assert.Equal(a.StdoutText, b.StdoutText);
        Assert.NotEqual(a.StdoutText, c.StdoutText);
        Assert.StartsWith("The cat", a.StdoutText);
    }

    private static (string Prompt, int Steps, string Text) Golden(int index)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedData.File("models/stories260K/golden_greedy.json")));
        var c = doc.RootElement.GetProperty("cases")[index];
        return (c.GetProperty("prompt").GetString()!, c.GetProperty("steps").GetInt32(), c.GetProperty("text").GetString()!);
    }
}
