// A run config parsed once into the typed parts every run kind uses (simulate, experiment, server, device agent): device
// profiles, partition, the methods with their arm spaces, the adapter plan, local training settings and server settings.
using FedSpine.Federated.Aggregation;
using FedSpine.Federated.Data;
using FedSpine.Federated.Devices;
using FedSpine.Federated.Rounds;
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Model.Tasks;
using FedSpine.Pruning;
using FedSpine.Tensors;

namespace FedSpine.Federated.Runs;

public sealed class RunPlan
{
    private RunPlan(RunConfig config)
    {
        RunConfigValidator.Validate(config);
        Config = config;
        Profiles = DeviceMix.Parse(config.Devices);
        Partition = PartitionSpec.Parse(config.Partition);
        Methods = config.Methods.Select(m => MethodCatalog.Get(m, config)).ToList();
        MaxTokens = config.MaxTokens ?? FederatedData.DefaultMaxTokens(config.Task);
        Local = LocalSettings(config, MaxTokens);
    }

    /// <summary>Validates the config (an ArgumentException names the key) and parses it.</summary>
    public static RunPlan From(RunConfig config) => new(config);

    public RunConfig Config { get; }
    public IReadOnlyList<DeviceProfile> Profiles { get; }
    public PartitionSpec Partition { get; }

    /// <summary>The config's methods in order: bandit (over its arm space), pruning, aggregator.</summary>
    public IReadOnlyList<MethodSpec> Methods { get; }

    /// <summary>Tokens per example row: max_tokens, else the task's default.</summary>
    public int MaxTokens { get; }

    /// <summary>How every device trains locally (estimator, pooling, adapter plan, batch shape, optimizer).</summary>
    public LocalTrainingSettings Local { get; }

    public AdapterPlan Adapter => Local.Adapter;

    /// <summary>Local training settings of a run config with rows of <paramref name="tokens"/> (a device agent takes the
    /// token count from the server's hello).</summary>
    public static LocalTrainingSettings LocalSettings(RunConfig config, int tokens) => new()
    {
        Batch = config.Batch,
        Tokens = tokens,
        Importance = config.Importance,
        LogitAdjustment = config.LogitAdjustment,
        AdamEpsilon = config.AdamEpsilon,
        Adapter = new AdapterPlan(LoraTargets.All, config.LoraScale),
        Pooling = config.Pooling == "last" ? Pooling.LastToken : Pooling.Mean,
    };

    /// <summary>Seed of device i's batch draws.</summary>
    public static ulong DeviceSeed(RunConfig config, int device) => config.Seed + 1000UL * (ulong)(device + 1);

    /// <summary>The round engine's settings for one method of the run.</summary>
    public ServerSettings ServerSettings(MethodSpec spec) => new()
    {
        RunId = $"{spec.Name}-seed{Config.Seed}",
        Rounds = Config.Rounds,
        LocalSteps = Config.LocalSteps,
        LearningRate = Config.LearningRate,
        LearningRateSchedule = Config.LearningRateSchedule,
        MinLearningRate = Config.MinLearningRate ?? Config.LearningRate / 10,
        FinalSparsity = spec.Prunes ? Config.Sparsity : 0,
        PruneEndRound = Math.Max(1, (int)Math.Round(Config.PruneEnd * Config.Rounds)),
        Fraction = Config.Fraction,
        MinDevices = Config.MinDevices,
        DeadlineSeconds = Config.DeadlineSeconds,
        Rewards = new RewardWeights(Config.RewardLoss, Config.RewardProgress, Config.RewardNorm),
        PerDeviceSparsity = Config.SparsityMode == "per-device" && spec.ChoosesTargets,
        SparsitySpread = Config.SparsitySpread,
        TargetBandit = Config.BanditSettings(),
        NormTerm = Config.RewardNormTerm,
        ProgressTerm = Config.RewardProgressTerm,
        ServerMomentum = Config.ServerMomentum,
        ClipMultiple = Config.ClipMultiple,
        WeightCapMultiple = Config.WeightCapMultiple,
        MaxGlobalChange = Config.MaxGlobalChange,
        Seed = Config.Seed,
    };

    /// <summary>A method's server: the initial global LoRA and head, and one slot per device (its profile's class and
    /// memory, the method's bandit, its current mask). Also the server-only path of a deployment (no device models).
    /// knownSampleCounts: each device's training-set size as the server knows it (caps the weight of its uploads).</summary>
    public FederatedServer CreateServer(MethodSpec spec, LlamaConfig model, int classes, IReadOnlyList<PruningMask> masks,
        IReadOnlyList<int>? knownSampleCounts = null)
    {
        var global = GlobalLora.Initialize(model, Adapter.Targets, Config.Ranks.Max(), classes, Local.Pooling, new Rng(Config.Seed ^ 0x61084L));
        var slots = masks.Select((mask, id) => new DeviceSlot(id, Profiles[id].Name, Profiles[id].MemoryBytes,
            spec.BanditFor(Profiles[id], Profiles), mask)).ToList();
        return new FederatedServer(ServerSettings(spec) with { KnownSampleCounts = knownSampleCounts }, Local, global, slots, Aggregators.Create(spec.Aggregator), spec.Name);
    }
}
