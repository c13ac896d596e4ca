// The server's half of a run (no device models or private data here): builds the method's FederatedServer exactly as simulate
// does, resumes it from the server-only checkpoint (the latest, or a kept earlier round's), runs the rounds over a transport,
// and writes the same run folder as simulate (config.json, methods/<m>/metrics.jsonl + checkpoints + result.json, ...);
// an instruct run's server with the data scores the devices' models by response perplexity (ServerInstructEvaluation).
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

    private ServerRun(RunPlan plan, string folder, ServerFolderState state, LlamaConfig model, FederatedServer server, IReadOnlyList<DeviceProfile> profiles,
        ServerInstructEvaluation? instruct)
    {
        Instruct = instruct;
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

    /// <summary>Instruct runs whose server has the data and a tokenizer: the server scores the devices' models itself.</summary>
    public ServerInstructEvaluation? Instruct { get; }
    public bool IsInstruct => FederatedInstructData.Handles(Config.Task);
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
        if (FederatedInstructData.Handles(config.Task))
        {
            // No classes: instruct devices train through the frozen LM head. With the data, the partition's sizes are known.
            if (labels is { Count: > 0 })
            {
                throw new ArgumentException("--labels: the instruct task has no classes (give --data, the Dolly/Alpaca file, to evaluate on its test set)");
            }
            names = [];
            if (config.Data is not null)
            {
                var train = FederatedInstructData.LoadTask(config).Train;
                known = FederatedInstructData.DeviceIndices(config, train, expectDevices).Select(d => d.Train.Length).ToList();
            }
        }
        else if (labels is not null)
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
        var loaded = ModelLoader.Load(config.Model, config.Tokenizer, requireTokenizer: false);
        var weights = loaded.Weights;
        var masks = Enumerable.Range(0, profiles.Count).Select(_ => PruningMask.Full(weights.LayerShapes)).ToList();
        if (state.KnownSamples is { } counts && counts.Count != profiles.Count)
        {
            throw new InvalidDataException($"{Path.Combine(folder, StateFile)}: known_samples lists {counts.Count} devices, the run has {profiles.Count}");
        }
        var server = plan.CreateServer(plan.Methods[0], weights.Config, state.Labels.Count, masks, state.KnownSamples);
        var instruct = FederatedInstructData.Handles(config.Task)
            ? ServerInstructEvaluation.TryCreate(config, weights, loaded.Tokenizer, profiles.Count, plan.MaxTokens)
            : null;
        return new ServerRun(plan, folder, state, weights.Config, server, profiles, instruct);
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
        },
        Instruct is null ? null : round => round % Config.EvalEvery == 0 || round == Config.Rounds ? Instruct.CurveScore(Server, Plan.Local) : null,
        PerplexityCurve: IsInstruct);
        loop.Run(transport, (summary, _) =>
        {
            onRound?.Invoke(summary, roundWatch.Elapsed.TotalSeconds);
            roundWatch.Restart();
        }, cancel: cancel);
        return Finish(_wallBefore + watch.Elapsed.TotalSeconds);
    }

    /// <summary>A server without the instruct data: the devices' local metric is 1/perplexity on their own test records, so
    /// the result states that perplexity (the final being their mean, inverted).</summary>
    private static MethodResult LocalPerplexity(MethodResult result, double? local) => result with
    {
        Metric = MethodResult.PerplexityMetric,
        FinalPerplexity = local is double l and > 0 ? 1 / l : null,
        MinDevicePerplexity = result.MaxDeviceAccuracy > 0 ? 1 / result.MaxDeviceAccuracy : null,
        MaxDevicePerplexity = result.MinDeviceAccuracy > 0 ? 1 / result.MinDeviceAccuracy : null,
    };

    /// <summary>result.json, summary.json, metrics.jsonl and arms.json. Accuracy here is the devices' local test accuracy
    /// (the server holds no device model), except for an instruct run whose server has the data: it scores the devices'
    /// models on the global test set by response perplexity.</summary>
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
        if (IsInstruct)
        {
            result = Instruct is not null ? Instruct.Final(Server, result, Plan.Local) : LocalPerplexity(result, local);
        }
        AtomicFile.WriteAllText(Path.Combine(MethodFolder, "result.json"), JsonSerializer.Serialize(result, Indented) + "\n");
        var timed = SimulationRunner.Timed([result], Config.TargetAccuracy);
        AtomicFile.WriteAllText(Path.Combine(Folder, SimulationRunner.SummaryFile), JsonSerializer.Serialize(timed.Select(r => r.Brief()), Indented) + "\n");
        AtomicFile.WriteAllText(Path.Combine(Folder, SimulationRunner.MetricsFile), File.ReadAllText(MetricsPath));
        AtomicFile.WriteAllText(Path.Combine(Folder, SimulationRunner.ArmsFile),
            JsonSerializer.Serialize(new[] { ArmReport.FromMetrics(Server.Method, MetricsPath) }, ArmsJson) + "\n");
        return timed[0];
    }
}
