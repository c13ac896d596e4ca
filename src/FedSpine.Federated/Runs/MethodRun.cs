// Runs one method of a run from round 1 (or from its checkpoint) to the end: builds the devices and the server, runs the
// rounds, logs metrics per device per round, checkpoints every N rounds (keeping the last K round checkpoints), and
// finishes with the final device models; wall_s adds up over resumed sessions.
using System.Diagnostics;
using System.Text.Json;
using FedSpine.Federated.Aggregation;
using FedSpine.Federated.Devices;
using FedSpine.Federated.Rounds;
using FedSpine.Model;
using FedSpine.Model.Formats;
using FedSpine.Model.Tasks;
using FedSpine.Model.Tokenizers;
using FedSpine.Pruning;
using FedSpine.Tensors;

namespace FedSpine.Federated.Runs;

public sealed class MethodRun
{
    private readonly RunConfig _config;
    private readonly MethodSpec _spec;
    private readonly FederatedData _data;
    private readonly IReadOnlyList<DeviceProfile> _profiles;
    private readonly ITokenizer _tokenizer;
    private double _wallBefore;   // real seconds of the sessions before this one (from the checkpoint)

    public MethodRun(RunConfig config, MethodSpec spec, LlamaWeights model, ITokenizer tokenizer, FederatedData data,
        IReadOnlyList<DeviceProfile> profiles, string folder)
    {
        _config = config;
        _spec = spec;
        _data = data;
        _profiles = profiles;
        _tokenizer = tokenizer;
        Folder = folder;
        Local = LocalSettings(config, data.GlobalTest.MaxTokens);
        Devices = data.Devices.Select((d, i) => new DeviceRuntime(i, model, d.Train, d.Test, Local, DeviceSeed(config, i))).ToList();
        Server = CreateServer(config, spec, model.Config, data.Labels.Count, Local, profiles, Devices.Select(d => d.Mask).ToList(),
            Devices.Select(d => d.SampleCount).ToList());
    }

    /// <summary>How every device of the run trains locally (tokens: the task's row length).</summary>
    public static LocalTrainingSettings LocalSettings(RunConfig config, int tokens) => new()
    {
        Batch = config.Batch,
        Tokens = tokens,
        Importance = config.Importance,
        LogitAdjustment = config.LogitAdjustment,
        AdamEpsilon = config.AdamEpsilon,
        Pooling = config.Pooling == "last" ? Pooling.LastToken : Pooling.Mean,
    };

    /// <summary>Seed of device i's batch draws.</summary>
    public static ulong DeviceSeed(RunConfig config, int device) => config.Seed + 1000UL * (ulong)(device + 1);

    /// <summary>The method's server: the initial global LoRA and head, and one slot per device (its profile's class and
    /// memory, the method's bandit, its current mask). Also the server-only path of a deployment (no device models).
    /// knownSampleCounts: each device's training-set size as the server knows it (caps the weight of its uploads).</summary>
    public static FederatedServer CreateServer(RunConfig config, MethodSpec spec, LlamaConfig model, int classes, LocalTrainingSettings local,
        IReadOnlyList<DeviceProfile> profiles, IReadOnlyList<PruningMask> masks, IReadOnlyList<int>? knownSampleCounts = null)
    {
        var global = GlobalLora.Initialize(model, local.Targets, config.Ranks.Max(), classes, local.Pooling, new Rng(config.Seed ^ 0x61084L));
        var slots = masks.Select((mask, id) => new DeviceSlot(id, profiles[id].Name, profiles[id].MemoryBytes,
            spec.BanditFor(profiles[id], profiles), mask)).ToList();
        return new FederatedServer(Settings(config, spec) with { KnownSampleCounts = knownSampleCounts }, local, global, slots, Aggregators.Create(spec.Aggregator), spec.Name);
    }

    public string Folder { get; }
    public LocalTrainingSettings Local { get; }
    public FederatedServer Server { get; }
    public IReadOnlyList<DeviceRuntime> Devices { get; }
    public List<RoundPoint> Rounds { get; } = [];

    public string CheckpointPath => Path.Combine(Folder, RunCheckpoint.FileName);
    public string MetricsPath => Path.Combine(Folder, "metrics.jsonl");
    public string ResultPath => Path.Combine(Folder, "result.json");

    public static ServerSettings Settings(RunConfig c, MethodSpec spec) => new()
    {
        RunId = $"{spec.Name}-seed{c.Seed}",
        Rounds = c.Rounds,
        LocalSteps = c.LocalSteps,
        LearningRate = c.LearningRate,
        LoraScale = c.LoraScale,
        FinalSparsity = spec.Prunes ? c.Sparsity : 0,
        PruneEndRound = Math.Max(1, (int)Math.Round(c.PruneEnd * c.Rounds)),
        Fraction = c.Fraction,
        MinDevices = c.MinDevices,
        DeadlineSeconds = c.DeadlineSeconds,
        Rewards = new RewardWeights(c.RewardLoss, c.RewardProgress, c.RewardNorm),
        PerDeviceSparsity = c.SparsityMode == "per-device" && spec.ChoosesTargets,
        SparsitySpread = c.SparsitySpread,
        TargetBandit = c.BanditSettings(),
        NormTerm = c.RewardNormTerm,
        ProgressTerm = c.RewardProgressTerm,
        Seed = c.Seed,
        ClipMultiple = c.ClipMultiple,
        WeightCapMultiple = c.WeightCapMultiple,
        MaxGlobalChange = c.MaxGlobalChange,
    };

    /// <summary>Continues from the checkpoint when there is one (dropping metrics logged after it).</summary>
    public void ResumeIfCheckpointed()
    {
        if (!File.Exists(CheckpointPath))
        {
            return;
        }
        var state = RunCheckpoint.Load(CheckpointPath, Server, Devices);
        Rounds.AddRange(state.Rounds);
        _wallBefore = state.WallSeconds;
        if (File.Exists(MetricsPath))
        {
            var kept = File.ReadAllLines(MetricsPath)
                .Where(line => JsonSerializer.Deserialize<DeviceRoundRecord>(line)!.Round <= state.Round).ToList();
            File.WriteAllLines(MetricsPath, kept);
        }
    }

    /// <summary>Runs rounds until the last (or until stopAfterRound, checkpointing there) and returns the result, or
    /// null when stopped early.</summary>
    public MethodResult? Run(IDeviceTransport transport, Action<RoundPoint>? onRound = null, int? stopAfterRound = null)
    {
        Directory.CreateDirectory(Folder);
        var watch = Stopwatch.StartNew();
        var evalSet = EvaluationSet(_data.GlobalTest);
        while (Server.Round < _config.Rounds)
        {
            var summary = Server.RunRound(transport);
            double? accuracy = Server.Round % _config.EvalEvery == 0 || Server.Round == _config.Rounds
                ? FinalEvaluation.Accuracies(Server, Devices, evalSet, Local, _config.LoraScale).Average()
                : null;
            var point = RoundPoint.From(summary, accuracy);
            Rounds.Add(point);
            File.AppendAllLines(MetricsPath, summary.Devices.Select(r => JsonSerializer.Serialize(r)));
            onRound?.Invoke(point);
            bool stopping = stopAfterRound is int k && Server.Round >= k && Server.Round < _config.Rounds;
            if (Server.Round % _config.CheckpointEvery == 0 || stopping || Server.Round == _config.Rounds)
            {
                RunCheckpoint.Save(CheckpointPath, Server, Devices, Rounds, _wallBefore + watch.Elapsed.TotalSeconds);
                CheckpointHistory.Keep(CheckpointPath, Server.Round, _config.KeepCheckpoints);
            }
            if (stopping)
            {
                return null;
            }
        }
        var scores = FinalEvaluation.Run(Server, Devices, _data.GlobalTest, Local, _config.LoraScale, _tokenizer,
            _config.SaveModels ? Path.Combine(Folder, "devices") : null);
        var finals = scores.Devices;
        var result = new MethodResult
        {
            Method = _spec.Name,
            FinalAccuracy = finals.Average(f => f.Accuracy),
            MinDeviceAccuracy = finals.Min(f => f.Accuracy),
            MaxDeviceAccuracy = finals.Max(f => f.Accuracy),
            FinalLocalAccuracy = RoundPoint.Finite(Server.MeanAccuracy()),
            FinalSparsity = finals.Average(f => f.Sparsity.PrunableSparsity),
            MinDeviceSparsity = finals.Min(f => f.Sparsity.PrunableSparsity),
            MaxDeviceSparsity = finals.Max(f => f.Sparsity.PrunableSparsity),
            FinalOverallSparsity = finals.Average(f => f.Sparsity.OverallSparsity),
            SimTimeSeconds = Server.SimTime,
            BytesSent = Server.BytesSent,
            LatencyMsPerToken = finals.Average(f => f.LatencyMsPerToken),
            MeanParameters = finals.Average(f => (double)f.Parameters),
            Rounds = Server.Round,
            WallSeconds = _wallBefore + watch.Elapsed.TotalSeconds,
            Curve = Rounds.ToList(),
            FinalExamples = _data.GlobalTest.Count,
            CurveExamples = evalSet.Count,
            ExampleAccuracy = scores.ExampleAccuracy,
        };
        AtomicFile.WriteAllText(ResultPath, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return result;
    }

    /// <summary>The evaluation set of the accuracy curve: the global test set, or a fixed seeded sample of eval_examples of
    /// it (the same for every method and seed). The final accuracy is always measured on the whole global test set.</summary>
    private TokenizedClassificationSet EvaluationSet(TokenizedClassificationSet test)
    {
        if (_config.EvalExamples is not int n || n >= test.Count)
        {
            return test;
        }
        var order = Enumerable.Range(0, test.Count).ToArray();
        var rng = new Rng(0x7E57UL);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return test.Subset(order.Take(n).Order().ToArray(), $"{test.Source} (sample of {n})");
    }
}
