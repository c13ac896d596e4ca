// `fedspine experiment` as a user runs it: a tiny two-method, two-seed experiment writes comparison.json, report.md and
// the plots (real PNG files); bad seeds, a missing config and an unknown variant key give one error line naming them.
using System.Text.Json;

namespace FedSpine.Cli.Tests;

public sealed class ExperimentCliTests
{
    private static string Repo => SharedData.RepoRoot!;

    private static (string Folder, string Config) TinyExperiment(string extra = "")
    {
        string folder = Path.Combine(Path.GetTempPath(), "fedspine-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "tiny.yaml");
        string test = Path.Combine(folder, "test.jsonl");
        File.WriteAllLines(test, File.ReadLines(Path.Combine(Repo, "data", "spam", "test.jsonl")).Take(100));
        File.WriteAllText(path, $"""
            model: {Path.Combine(Repo, "models", "fedspine-base")}
            data: {Path.Combine(Repo, "data", "spam", "train.jsonl")}
            eval_data: {test}
            devices: "1 tx2, 1 nx"
            rounds: 2
            local_steps: 1
            batch: 4
            max_tokens: 16
            eval_examples: 16
            save_models: false
            methods: [fedspine, uniform-prune]
            seeds: [1, 2]
            {extra}
            """);
        return (folder, path);
    }

    [Fact]
    public void A_tiny_experiment_writes_comparison_report_and_plots()
    {
        var (folder, config) = TinyExperiment();
        string output = Path.Combine(folder, "exp");
        var result = CliRunner.Run("experiment", "--config", config, "--out", output);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("fedspine vs uniform-prune", result.StdoutText, StringComparison.Ordinal);
        Assert.Contains("run 4/4: uniform-prune seed 2", result.Stderr, StringComparison.Ordinal);
        using var comparison = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "comparison.json")));
        Assert.Equal(2, comparison.RootElement.GetProperty("arms").GetArrayLength());
        Assert.Equal(100, comparison.RootElement.GetProperty("final_examples").GetInt32());
        string report = File.ReadAllText(Path.Combine(output, "report.md"));
        Assert.Contains("Common target", report, StringComparison.Ordinal);
        foreach (string plot in new[] { "accuracy_vs_time.png", "final_accuracy.png", "classes_rank.png", "completion_cv.png" })
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(output, plot));
            Assert.True(bytes.Length > 1000 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G', $"{plot} is not a PNG");
            Assert.Contains($"]({plot})", report, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--seeds", "1,x", "--seeds")]
    [InlineData("--seeds", "2,2", "--seeds")]
    public void Bad_seeds_are_one_error_line(string flag, string value, string named)
    {
        var (_, config) = TinyExperiment();
        var result = CliRunner.Run("experiment", "--config", config, flag, value);
        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith("error: ", result.Stderr.Trim(), StringComparison.Ordinal);
        Assert.Contains(named, result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Missing_config_and_unknown_variant_key_are_named()
    {
        var none = CliRunner.Run("experiment");
        Assert.NotEqual(0, none.ExitCode);
        Assert.Contains("--config", none.Stderr, StringComparison.Ordinal);
        var (_, config) = TinyExperiment("variants: {odd: {rank_of_doom: 3}}");
        var bad = CliRunner.Run("experiment", "--config", config);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("rank_of_doom", bad.Stderr, StringComparison.Ordinal);
        Assert.Contains("tiny.yaml", bad.Stderr, StringComparison.Ordinal);
    }
}
