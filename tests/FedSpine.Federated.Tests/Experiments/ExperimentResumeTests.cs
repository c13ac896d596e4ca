// An experiment stopped mid-run and resumed skips the runs already complete, continues the interrupted one from its
// checkpoint, and ends with the comparison an uninterrupted experiment gives; a second resume recomputes nothing.
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FedSpine.Federated.Experiments;
using FedSpine.Federated.Runs;
using FedSpine.Federated.Tests.Runs;

namespace FedSpine.Federated.Tests.Experiments;

public sealed class ExperimentResumeTests
{
    private sealed class Recorder : IExperimentObserver
    {
        public List<(string Arm, ulong Seed, bool Complete)> Runs { get; } = [];
        public void RunStarting(string arm, ulong seed, int index, int count, bool alreadyComplete) => Runs.Add((arm, seed, alreadyComplete));
        public void MethodStarted(string method, int index, int count, int rounds, int resumedAt) { }
        public void RoundDone(string method, RoundPoint round) { }
        public void MethodDone(MethodResult result, bool fromEarlierSession) { }
    }

    private static readonly RunConfig Base = TinyRuns.SpamSmallTest(120, "fedspine", "uniform-prune") with { Rounds = 2 };

    private static ExperimentConfig Config()
    {
        var node = JsonNode.Parse(RunConfigFile.ToJson(Base))!.AsObject();
        node["seeds"] = new JsonArray(1, 2);
        return ExperimentConfig.Parse(node, "tiny");
    }

    [Fact]
    public void Resumed_experiment_skips_complete_runs_and_matches_the_uninterrupted_one()
    {
        string whole = TinyRuns.TempFolder("experiment-whole");
        string split = TinyRuns.TempFolder("experiment-split");
        new ExperimentRunner(Config(), whole).Run();

        Assert.Null(new ExperimentRunner(Config(), split).Run(stopAfterRound: 1));
        var recorder = new Recorder();
        new ExperimentRunner(ExperimentRunner.LoadConfig(split), split).Run(recorder);
        Assert.Equal(4, recorder.Runs.Count);
        Assert.All(recorder.Runs, r => Assert.False(r.Complete));   // the first run had stopped after round 1

        Assert.Equal(Comparable(whole), Comparable(split));

        // Everything is complete now: a resume recomputes nothing and writes the identical comparison.json.
        string before = File.ReadAllText(Path.Combine(split, ExperimentRunner.ComparisonFile));
        File.Delete(Path.Combine(split, ExperimentRunner.ComparisonFile));
        var again = new Recorder();
        new ExperimentRunner(ExperimentRunner.LoadConfig(split), split).Run(again);
        Assert.All(again.Runs, r => Assert.True(r.Complete));
        Assert.Equal(before, File.ReadAllText(Path.Combine(split, ExperimentRunner.ComparisonFile)));
    }

    [Fact]
    public void Compacted_runs_are_skipped_and_give_the_identical_comparison()
    {
        string folder = TinyRuns.TempFolder("experiment-compacted");
        new ExperimentRunner(Config(), folder).Run();
        string before = File.ReadAllText(Path.Combine(folder, ExperimentRunner.ComparisonFile));

        // experiments/compact-runs.sh: checkpoints removed, per-method metrics gzipped, the run-level copy dropped.
        string script = Path.Combine(SharedData.RepoRoot!, "experiments", "compact-runs.sh");
        var bash = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("bash", [script, folder])
            { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string output = bash.StandardOutput.ReadToEnd() + bash.StandardError.ReadToEnd();
        bash.WaitForExit();
        Assert.True(bash.ExitCode == 0, output);
        Assert.Contains("compacted 4 complete runs", output);
        string methodFolder = SimulationRunner.MethodFolder(ExperimentRunner.RunFolder(folder, "fedspine", 1), "fedspine");
        Assert.Empty(Directory.GetFiles(folder, "*.safetensors", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(methodFolder, SimulationRunner.MetricsFile)));
        Assert.True(File.Exists(Path.Combine(methodFolder, SimulationRunner.MetricsFile + MetricsFileReader.CompactedSuffix)));

        File.Delete(Path.Combine(folder, ExperimentRunner.ComparisonFile));
        var again = new Recorder();
        new ExperimentRunner(ExperimentRunner.LoadConfig(folder), folder).Run(again);
        Assert.All(again.Runs, r => Assert.True(r.Complete));
        Assert.Equal(before, File.ReadAllText(Path.Combine(folder, ExperimentRunner.ComparisonFile)));
    }

    [Fact]
    public void A_run_folder_of_another_config_is_refused()
    {
        string folder = TinyRuns.TempFolder("experiment-changed");
        var config = Config();
        Directory.CreateDirectory(ExperimentRunner.RunFolder(folder, "fedspine", 1));
        File.WriteAllText(Path.Combine(ExperimentRunner.RunFolder(folder, "fedspine", 1), SimulationRunner.ConfigFile),
            RunConfigFile.ToJson(config.RunConfigFor(config.Arms[0], 1) with { Rounds = 5 }));
        var e = Assert.Throws<InvalidDataException>(() => new ExperimentRunner(config, folder).Run());
        Assert.Contains("another config", e.Message);
    }

    // Measured wall-clock figures (run wall time, decode latency) differ between executions; everything else must not.
    private static string Comparable(string folder) => Regex.Replace(
        File.ReadAllText(Path.Combine(folder, ExperimentRunner.ComparisonFile)),
        "\"(latency_ms_per_token|wall_s_per_seed)\": (\\{[^}]*\\}|\\[[^\\]]*\\])", "\"$1\": 0");
}
