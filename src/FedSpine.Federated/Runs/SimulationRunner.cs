// A whole `fedspine simulate` run: validates the config, loads model, tokenizer and data once, runs every method (each
// from its checkpoint when resuming), then times each method to the target accuracy and writes summary.json and metrics.jsonl.
using System.Text.Json;
using FedSpine.Federated.Devices;
using FedSpine.Federated.Rounds;
using FedSpine.Model;
using FedSpine.Model.Formats;

namespace FedSpine.Federated.Runs;

public sealed class SimulationRunner
{
    public const string ConfigFile = "config.json";
    public const string SummaryFile = "summary.json";
    public const string MetricsFile = "metrics.jsonl";
    public const string ArmsFile = "arms.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public SimulationRunner(RunConfig config, string folder)
    {
        Plan = RunPlan.From(config);
        Folder = folder;
    }

    public RunPlan Plan { get; }
    public RunConfig Config => Plan.Config;
    public string Folder { get; }

    /// <summary>The config a run folder was started with (for --resume).</summary>
    public static RunConfig LoadConfig(string folder)
    {
        string path = Path.Combine(folder, ConfigFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{folder}: not a simulate run folder (no {ConfigFile})");
        }
        return RunConfigFile.Load(path);
    }

    public static string MethodFolder(string folder, string method) => Path.Combine(folder, "methods", method);

    /// <summary>`--resume DIR --from-round N`: every method of the run folder continues from its kept checkpoint of round N
    /// (its result, if finished, is discarded); a round some method does not keep is an ArgumentException naming it.</summary>
    public static void RewindTo(string folder, RunConfig config, int round)
    {
        foreach (string method in config.Methods)
        {
            string methodFolder = MethodFolder(folder, method);
            if (!CheckpointHistory.Rounds(methodFolder).Contains(round))
            {
                CheckpointHistory.RestoreRound(Path.Combine(methodFolder, RunCheckpoint.FileName), round);   // throws, naming the kept rounds
            }
        }
        foreach (string method in config.Methods)
        {
            string methodFolder = MethodFolder(folder, method);
            CheckpointHistory.RestoreRound(Path.Combine(methodFolder, RunCheckpoint.FileName), round);
            File.Delete(Path.Combine(methodFolder, "result.json"));
        }
    }

    /// <summary>Runs (or continues) every method; returns the results, or null when stopped after stopAfterRound.</summary>
    public IReadOnlyList<MethodResult>? Run(IRunObserver? observer = null, int? stopAfterRound = null)
    {
        Directory.CreateDirectory(Folder);
        AtomicFile.WriteAllText(Path.Combine(Folder, ConfigFile), RunConfigFile.ToJson(Config) + "\n");
        var loaded = ModelLoader.Load(Config.Model, Config.Tokenizer, requireTokenizer: true);
        var tokenizer = loaded.Tokenizer!;
        var profiles = Plan.Profiles;
        bool instruct = FederatedInstructData.Handles(Config.Task);
        var data = instruct ? null : FederatedData.Create(Config, tokenizer, profiles.Count);
        var instructData = instruct ? FederatedInstructData.Create(Config, tokenizer, profiles.Count) : null;
        var results = new List<MethodResult>();
        for (int i = 0; i < Config.Methods.Count; i++)
        {
            string method = Config.Methods[i];
            string folder = MethodFolder(Folder, method);
            string resultPath = Path.Combine(folder, "result.json");
            if (File.Exists(resultPath))
            {
                var done = JsonSerializer.Deserialize<MethodResult>(File.ReadAllText(resultPath))
                    ?? throw new InvalidDataException($"{resultPath}: empty result");
                results.Add(done);
                observer?.MethodDone(done, fromEarlierSession: true);
                continue;
            }
            var run = instructData is not null
                ? new MethodRun(Plan, Plan.Methods[i], loaded.Weights, tokenizer, instructData, folder)
                : new MethodRun(Plan, Plan.Methods[i], loaded.Weights, tokenizer, data!, folder);
            run.ResumeIfCheckpointed();
            observer?.MethodStarted(method, i, Config.Methods.Count, Config.Rounds, run.Server.Round);
            var attack = Config.Attack is string spec ? UploadAttack.Parse(spec) : null;
            var transport = new InProcessTransport(run.Devices.Select(d => new SimulatedDevice(d, profiles[d.Id], Config.Seed)
            {
                Attack = Config.AttackDevices.Contains(d.Id) ? attack : null,
            }));
            var result = run.Run(transport, s => observer?.RoundDone(method, s), stopAfterRound);
            WriteMetrics();
            if (result is null)
            {
                return null;
            }
            results.Add(result);
            observer?.MethodDone(result, fromEarlierSession: false);
        }
        var timed = Timed(results, Config.TargetAccuracy);
        AtomicFile.WriteAllText(Path.Combine(Folder, SummaryFile), JsonSerializer.Serialize(timed.Select(r => r.Brief()), Indented) + "\n");
        WriteMetrics();
        AtomicFile.WriteAllText(Path.Combine(Folder, ArmsFile), JsonSerializer.Serialize(ArmReports(), Indented) + "\n");
        return timed;
    }

    /// <summary>Adds target_accuracy and time_to_target_s: the target is the given one, else the best final score among
    /// the baselines (every method but fedspine), else the method's own final score. Scores are in the run's metric:
    /// accuracy (best = highest, reached at or above) or, for the instruct task, perplexity (best = lowest, reached at or
    /// below; target_accuracy then holds the target perplexity).</summary>
    public static IReadOnlyList<MethodResult> Timed(IReadOnlyList<MethodResult> results, double? target)
    {
        bool higher = results.Count == 0 || results[0].HigherIsBetter;
        var baselines = results.Where(r => r.Method != "fedspine").Select(r => (double?)r.FinalScore).ToList();
        double? best = target ?? (higher ? baselines.Max() : baselines.Min());
        return results.Select(r =>
        {
            double? t = best ?? r.FinalScore;
            var hit = t is double goal
                ? r.Curve.FirstOrDefault(p => r.ScoreOf(p) is double v && (higher ? v >= goal - 1e-12 : v <= goal + 1e-12))
                : null;
            return r with { TargetAccuracy = t, TimeToTargetSeconds = hit?.SimTimeSeconds };
        }).ToList();
    }

    /// <summary>Per method, what its bandits chose by device class early and late in the run (arms.json).</summary>
    public IReadOnlyList<ArmReport> ArmReports() => Config.Methods
        .Select(m => (Method: m, Path: Path.Combine(MethodFolder(Folder, m), MetricsFile)))
        .Where(p => File.Exists(p.Path)).Select(p => ArmReport.FromMetrics(p.Method, p.Path)).ToList();

    /// <summary>metrics.jsonl of the run: the methods' per-device round lines, in method order.</summary>
    private void WriteMetrics()
    {
        var lines = Config.Methods.Select(m => Path.Combine(MethodFolder(Folder, m), MetricsFile)).Where(File.Exists).SelectMany(File.ReadLines);
        AtomicFile.WriteAllLines(Path.Combine(Folder, MetricsFile), lines);
    }
}
