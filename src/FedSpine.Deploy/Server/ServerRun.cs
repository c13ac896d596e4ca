// The server's half of a run (no device models or data here): builds the method's FederatedServer exactly as simulate
// does, resumes it from the server-only checkpoint (the latest, or a kept earlier round's), runs the rounds over a transport,
// and writes the same run folder as simulate (config.json, methods/<m>/metrics.jsonl + checkpoints + result.json, ...).
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using FedSpine.Federated.Devices;
using FedSpine.Federated.Rounds;
using FedSpine.Federated.Runs;
using FedSpine.Model.Formats;
using FedSpine.Model;
using FedSpine.Pruning;

namespace FedSpine.Deploy.Server;

/// <summary>What a run folder remembers beyond config.json for a deployed server: the run key, the class names, and each
/// device's training-set size when the server read the data (the run's partition; caps each device's aggregation weight).</summary>
public sealed record ServerFolderState(
    [property: JsonPropertyName("run_key")] string RunKey,
    [property: JsonPropertyName("labels")] IReadOnlyList<string> Labels,
    [property: JsonPropertyName("devices")] int Devices,
    [property: JsonPropertyName("known_samples")] IReadOnlyList<int>? KnownSamples = null);

public sealed class ServerRun
{
    public const string StateFile = "server.json";
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    // A run too short for an early/late comparison gives NaN means in arms.json; written as "NaN" rather than failing.
    private static readonly JsonSerializerOptions ArmsJson = new() { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    private ServerRun(RunPlan plan, string folder, ServerFolderState state, LlamaConfig model, FederatedServer server, IReadOnlyList<DeviceProfile> profiles)
    {
        Plan = plan;
        Folder = folder;
        State = state;
        Model = model;
        Server = server;
        Profiles = profiles;
        MethodFolder = SimulationRunner.MethodFolder(folder, server.Method);
    }

    public RunPlan Plan { get; }
    public RunConfig Config => Plan.Config;
    private double _wallBefore;   // real seconds of the sessions before this one (from the checkpoint)

    public string Folder { get; }
    public string MethodFolder { get; }
    public ServerFolderState State { get; }
    public LlamaConfig Model { get; }
    public FederatedServer Server { get; }
    public IReadOnlyList<DeviceProfile> Profiles { get; }
    public List<RoundPoint> Rounds { get; } = [];
    public int MaxTokens => Plan.MaxTokens;
    public string CheckpointPath => Path.Combine(MethodFolder, RunCheckpoint.FileName);
    public string MetricsPath => Path.Combine(MethodFolder, SimulationRunner.MetricsFile);

    /// <summary>A new run in folder (which must not hold one): labels from the given list, else from the task's data.</summary>
    public static ServerRun Start(RunConfig config, string folder, int expectDevices, IReadOnlyList<string>? labels)
    {
        RunConfigValidator.Validate(config);
        if (File.Exists(Path.Combine(folder, SimulationRunner.ConfigFile)))
        {
            throw new ArgumentException($"--out: {folder} already holds a run; continue it with --resume {folder} or choose another folder");
        }
        IReadOnlyList<string> names;
        IReadOnlyList<int>? known = null;
        if (labels is not null)
        {
            names = labels;
        }
        else
        {
            var train = FederatedData.LoadTask(config).Train;
            names = train.Labels;
            known = FederatedData.DeviceIndices(config, train, expectDevices).Select(d => d.Train.Length).ToList();
        }
        var state = new ServerFolderState(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), names.ToList(), expectDevices, known);
        var run = Build(config, folder, state);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, SimulationRunner.ConfigFile), RunConfigFile.ToJson(config) + "\n");
        AtomicFile.WriteAllText(Path.Combine(folder, StateFile), JsonSerializer.Serialize(state, Indented) + "\n");
        return run;
    }

    /// <summary>The run in folder, continued from its last checkpoint, or from the kept checkpoint of fromRound (metrics
    /// logged after it are dropped).</summary>
    public static ServerRun Resume(string folder, int? fromRound = null)
    {
        var config = SimulationRunner.LoadConfig(folder);
        string statePath = Path.Combine(folder, StateFile);
        var state = File.Exists(statePath) ? JsonSerializer.Deserialize<ServerFolderState>(File.ReadAllText(statePath))
            : throw new FileNotFoundException($"{folder}: not a server run folder (no {StateFile})");
        var run = Build(config, folder, state ?? throw new InvalidDataException($"{statePath}: empty"));
        if (fromRound is int round)
        {
            CheckpointHistory.RestoreRound(run.CheckpointPath, round);
        }
        if (File.Exists(run.CheckpointPath))
        {
            var saved = RunCheckpoint.Load(run.CheckpointPath, run.Server, devices: null);
            run.Rounds.AddRange(saved.Rounds);
            run._wallBefore = saved.WallSeconds;
            RoundLoop.TrimMetrics(run.MetricsPath, saved.Round);
        }
        return run;
    }

    private static ServerRun Build(RunConfig config, string folder, ServerFolderState state)
    {
        var plan = RunPlan.From(config);
        if (config.Methods.Count != 1)
        {
            throw new ArgumentException($"methods: a server runs exactly one method (got {string.Join(",", config.Methods)})");
        }
        var profiles = plan.Profiles;
        if (profiles.Count != state.Devices)
        {
            throw new ArgumentException($"--expect-devices: {state.Devices} devices, but the device mix '{config.Devices}' lists {profiles.Count}; give --devices with {state.Devices}");
        }
        var weights = ModelLoader.Load(config.Model, config.Tokenizer, requireTokenizer: false).Weights;
        var masks = Enumerable.Range(0, profiles.Count).Select(_ => PruningMask.Full(weights.LayerShapes)).ToList();
        if (state.KnownSamples is { } counts && counts.Count != profiles.Count)
        {
            throw new InvalidDataException($"{Path.Combine(folder, StateFile)}: known_samples lists {counts.Count} devices, the run has {profiles.Count}");
        }
        var server = plan.CreateServer(plan.Methods[0], weights.Config, state.Labels.Count, masks, state.KnownSamples);
        return new ServerRun(plan, folder, state, weights.Config, server, profiles);
    }

    /// <summary>The config a device receives: the server's file paths removed.</summary>
    public string DeviceConfigJson() => RunConfigFile.ToJson(Config with { Model = "", Tokenizer = null, Data = null, EvalData = null });

    /// <summary>Runs the remaining rounds over the transport (checkpointing each), then writes the results.</summary>
    public MethodResult Run(IDeviceTransport transport, Action<RoundSummary, double>? onRound = null, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(MethodFolder);
        var watch = Stopwatch.StartNew();
        var roundWatch = Stopwatch.StartNew();
        // Checkpoints every round, whatever checkpoint_every says: a stopped server (SIGTERM, SIGINT) abandons the round in
        // progress and continues from the last completed one.
        var loop = new RoundLoop(Server, Config.Rounds, CheckpointEvery: 1, MetricsPath, Rounds, () =>
        {
            RunCheckpoint.Save(CheckpointPath, Server, devices: null, Rounds, _wallBefore + watch.Elapsed.TotalSeconds);
            CheckpointHistory.Keep(CheckpointPath, Server.Round, Config.KeepCheckpoints);
        });
        loop.Run(transport, (summary, _) =>
        {
            onRound?.Invoke(summary, roundWatch.Elapsed.TotalSeconds);
            roundWatch.Restart();
        }, cancel: cancel);
        return Finish(_wallBefore + watch.Elapsed.TotalSeconds);
    }

    /// <summary>result.json, summary.json, metrics.jsonl and arms.json. Accuracy here is the devices' local test accuracy:
    /// the server holds no device model to evaluate on a global test set.</summary>
    private MethodResult Finish(double wallSeconds)
    {
        var sparsity = Server.Slots.Select(s => SparsityReport.Measure(Model, s.Mask)).ToList();
        double? local = RoundPoint.Finite(Server.MeanAccuracy());
        var known = Server.Slots.Where(s => double.IsFinite(s.LastAccuracy)).Select(s => s.LastAccuracy).DefaultIfEmpty(0).ToList();
        var result = new MethodResult
        {
            Method = Server.Method,
            FinalAccuracy = local ?? 0,
            MinDeviceAccuracy = known.Min(),
            MaxDeviceAccuracy = known.Max(),
            FinalLocalAccuracy = local,
            FinalSparsity = sparsity.Average(s => s.PrunableSparsity),
            FinalOverallSparsity = sparsity.Average(s => s.OverallSparsity),
            SimTimeSeconds = Server.SimTime,
            BytesSent = Server.BytesSent,
            MeanParameters = sparsity.Average(s => (double)s.TotalKept),
            Rounds = Server.Round,
            WallSeconds = wallSeconds,
            Curve = Rounds.ToList(),
        };
        AtomicFile.WriteAllText(Path.Combine(MethodFolder, "result.json"), JsonSerializer.Serialize(result, Indented) + "\n");
        var timed = SimulationRunner.Timed([result], Config.TargetAccuracy);
        AtomicFile.WriteAllText(Path.Combine(Folder, SimulationRunner.SummaryFile), JsonSerializer.Serialize(timed.Select(r => r.Brief()), Indented) + "\n");
        AtomicFile.WriteAllText(Path.Combine(Folder, SimulationRunner.MetricsFile), File.ReadAllText(MetricsPath));
        AtomicFile.WriteAllText(Path.Combine(Folder, SimulationRunner.ArmsFile),
            JsonSerializer.Serialize(new[] { ArmReport.FromMetrics(Server.Method, MetricsPath) }, ArmsJson) + "\n");
        return timed[0];
    }
}
