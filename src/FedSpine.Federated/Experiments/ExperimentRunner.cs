// `fedspine experiment`: runs every arm of an experiment config over every seed, each (arm, seed) a simulate run folder
// (resumable; skipped when complete), then compares them all into comparison.json.
using System.Text.Json;
using System.Text.Json.Serialization;
using FedSpine.Federated.Runs;
using FedSpine.Model.Formats;

namespace FedSpine.Federated.Experiments;

/// <summary>Progress of an experiment: each (arm, seed) run as it starts (or is found complete), then its rounds.</summary>
public interface IExperimentObserver : IRunObserver
{
    void RunStarting(string arm, ulong seed, int index, int count, bool alreadyComplete);
}

public sealed class ExperimentRunner
{
    public const string ConfigFile = "experiment.json";
    public const string ComparisonFile = "comparison.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public ExperimentRunner(ExperimentConfig config, string folder)
    {
        Config = config;
        Folder = folder;
    }

    public ExperimentConfig Config { get; }
    public string Folder { get; }

    /// <summary>The experiment config an experiment folder was started with (for --resume).</summary>
    public static ExperimentConfig LoadConfig(string folder)
    {
        string path = Path.Combine(folder, ConfigFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{folder}: not an experiment folder (no {ConfigFile})");
        }
        return ExperimentConfig.Load(path);
    }

    public static string RunFolder(string folder, string arm, ulong seed) => Path.Combine(folder, "runs", arm, $"seed-{seed}");

    /// <summary>Runs what is not complete yet (seed by seed, every arm of a seed before the next seed) and writes
    /// comparison.json; returns null when stopped early by stopAfterRound.</summary>
    public Comparison? Run(IExperimentObserver? observer = null, int? stopAfterRound = null)
    {
        Directory.CreateDirectory(Folder);
        AtomicFile.WriteAllText(Path.Combine(Folder, ConfigFile), Config.ToNode().ToJsonString(Indented) + "\n");
        var runs = Config.Arms.ToDictionary(a => a.Name, _ => new List<SeedRun>());
        int count = Config.Arms.Count * Config.Seeds.Count, index = 0;
        foreach (ulong seed in Config.Seeds)
        {
            foreach (var arm in Config.Arms)
            {
                string folder = RunFolder(Folder, arm.Name, seed);
                var runConfig = Config.RunConfigFor(arm, seed);
                CheckSameConfig(folder, runConfig);
                string resultPath = Path.Combine(SimulationRunner.MethodFolder(folder, arm.Method), "result.json");
                bool complete = File.Exists(Path.Combine(folder, SimulationRunner.SummaryFile)) && File.Exists(resultPath);
                observer?.RunStarting(arm.Name, seed, index++, count, complete);
                MethodResult result;
                if (complete)
                {
                    result = JsonSerializer.Deserialize<MethodResult>(File.ReadAllText(resultPath))
                        ?? throw new InvalidDataException($"{resultPath}: empty result");
                }
                else
                {
                    var results = new SimulationRunner(runConfig, folder).Run(observer, stopAfterRound);
                    if (results is null)
                    {
                        return null;
                    }
                    result = results.Single();
                }
                runs[arm.Name].Add(new SeedRun(seed, result, Path.Combine(SimulationRunner.MethodFolder(folder, arm.Method), SimulationRunner.MetricsFile)));
            }
        }
        var comparison = ComparisonBuilder.Build(Config, runs.ToDictionary(r => r.Key, r => (IReadOnlyList<SeedRun>)r.Value));
        AtomicFile.WriteAllText(Path.Combine(Folder, ComparisonFile), JsonSerializer.Serialize(comparison, Indented) + "\n");
        return comparison;
    }

    /// <summary>A run folder left by an earlier session must hold this very run (same config), or resuming would mix runs.</summary>
    private static void CheckSameConfig(string folder, RunConfig config)
    {
        string path = Path.Combine(folder, SimulationRunner.ConfigFile);
        if (File.Exists(path) && RunConfigFile.ToJson(SimulationRunner.LoadConfig(folder)) != RunConfigFile.ToJson(config))
        {
            throw new InvalidDataException($"{path}: this run folder holds a run of another config; the experiment config changed since it started " +
                                           "(start a new experiment folder, or remove this run folder)");
        }
    }
}
