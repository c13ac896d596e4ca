// The bundled base model reproduces its model card: `fedspine eval` on the held-out Austen text (Persuasion chapters
// 22-24, made by the recipe's prepare_text.sh from ../shared) gives the validation perplexity recorded in eval.json.
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FedSpine.Cli.Tests;

public sealed partial class BaseModelCliTests
{
    private static string ModelFolder => Path.Combine(SharedData.RepoRoot!, "models", "fedspine-base");

    [SharedDataFact]
    public void Eval_reproduces_the_recorded_validation_perplexity()
    {
        using var record = JsonDocument.Parse(File.ReadAllText(Path.Combine(ModelFolder, "eval.json")));
        double recorded = record.RootElement.GetProperty("validation_perplexity").GetDouble();
        int seqLen = record.RootElement.GetProperty("seq_len").GetInt32();
        string text = Path.Combine(Path.GetTempPath(), $"fedspine-base-val-{Guid.NewGuid():N}");
        var prepare = System.Diagnostics.Process.Start("bash", [Path.Combine(ModelFolder, "prepare_text.sh"), SharedData.File("data/austen"), text])!;
        prepare.WaitForExit();
        Assert.Equal(0, prepare.ExitCode);

        var result = CliRunner.Run("eval", "--model", ModelFolder, "--task", "lm", "--data", Path.Combine(text, "val"), "--seq-len",
            seqLen.ToString(CultureInfo.InvariantCulture), "--batch", "8");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var match = Perplexity().Match(result.StdoutText);
        Assert.True(match.Success, result.StdoutText);
        double measured = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(measured, recorded * 0.995, recorded * 1.005);
    }

    [Fact]
    public void The_bundled_model_is_a_standard_hf_folder_under_25_mb()
    {
        long bytes = Directory.GetFiles(ModelFolder).Sum(f => new FileInfo(f).Length);
        Assert.InRange(bytes, 1_000_000, 25_000_000);
        Assert.True(File.Exists(Path.Combine(ModelFolder, "tokenizer.json")));
        Assert.True(File.Exists(Path.Combine(ModelFolder, "config.json")));
        Assert.True(File.Exists(Path.Combine(ModelFolder, "README.md")));
    }

    [GeneratedRegex(@"perplexity: ([0-9.]+)")]
    private static partial Regex Perplexity();
}
