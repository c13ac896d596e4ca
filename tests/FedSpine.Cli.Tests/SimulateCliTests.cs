// `fedspine simulate` as a user runs it: a tiny run on the bundled model and spam task writes the run folder (config,
// metrics, summary with the documented fields, report); bad methods and config keys give one error line naming them.
using System.Text.Json;

namespace FedSpine.Cli.Tests;

public sealed class SimulateCliTests
{
    private static string Repo => SharedData.RepoRoot!;

    private static string TinyConfig(string folder, string extra = "")
    {
        string path = Path.Combine(folder, "tiny.yaml");
        File.WriteAllText(path, $"""
            model: {Path.Combine(Repo, "models", "fedspine-base")}
            data: {Path.Combine(Repo, "data", "spam", "train.jsonl")}
            eval_data: {Path.Combine(Repo, "data", "spam", "test.jsonl")}
            devices: "1 tx2, 1 nx, 1 agx"
            rounds: 2
            local_steps: 2
            batch: 4
            max_tokens: 24
            eval_examples: 16
            save_models: false
            {extra}
            """);
        return path;
    }

    private static string NewFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "fedspine-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    [Fact]
    public void A_tiny_run_writes_the_run_folder_and_summary()
    {
        string folder = NewFolder();
        string run = Path.Combine(folder, "run");
        var result = CliRunner.Run("simulate", "--config", TinyConfig(folder), "--methods", "fedspine,fedit", "--out", run);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("run folder: " + run, result.StdoutText, StringComparison.Ordinal);
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "summary.json")));
        var methods = summary.RootElement.EnumerateArray().ToList();
        Assert.Equal(["fedspine", "fedit"], methods.Select(m => m.GetProperty("method").GetString()));
        foreach (var m in methods)
        {
            foreach (string key in new[] { "final_accuracy", "final_sparsity", "time_to_target_s", "target_accuracy", "sim_time_s", "bytes_sent" })
            {
                Assert.True(m.TryGetProperty(key, out _), $"summary lacks {key}");
            }
        }
        Assert.Equal(0.0, methods[1].GetProperty("final_sparsity").GetDouble());
        Assert.True(methods[0].GetProperty("final_sparsity").GetDouble() > 0.3);
        int lines = File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Length;
        Assert.Equal(2 * 2 * 3, lines);   // methods x rounds x devices
        Assert.True(File.Exists(Path.Combine(run, "report.md")));
        Assert.True(File.Exists(Path.Combine(run, "config.json")));
    }

    [Fact]
    public void An_unknown_method_is_one_error_naming_the_key()
    {
        var result = CliRunner.Run("simulate", "--methods", "fedspine,fedprox", "--out", Path.Combine(NewFolder(), "run"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith("error: methods: unknown method 'fedprox'", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void A_malformed_config_names_the_file_and_key()
    {
        string folder = NewFolder();
        var result = CliRunner.Run("simulate", "--config", TinyConfig(folder, "local_stepz: 3"), "--out", Path.Combine(folder, "run"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("unknown key 'local_stepz'", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.Trim().Split('\n'));
    }
}
