// One device's real local work each round: slice its pruned copy from the shared frozen base, prune it toward the round's
// sparsity (least important units first), run K LoRA steps, report factors and losses, and release the copy again.
// Classification devices train LoRA and the head; instruct devices train LoRA through the frozen LM head (no head sent).
using System.Diagnostics;
using FedSpine.Federated.Devices;
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Model.Tasks;
using FedSpine.Pruning;
using FedSpine.Tensors;

namespace FedSpine.Federated.Rounds;

public sealed class DeviceRuntime
{
    private readonly LlamaWeights _original;
    private readonly TokenizedClassificationSet? _train;
    private readonly TokenizedClassificationSet? _localTest;
    private readonly TokenizedInstructSet? _instructTrain;
    private readonly TokenizedInstructSet? _instructTest;
    private readonly LocalTrainingSettings _settings;
    private readonly ulong _seed;
    private LlamaWeights? _kept;   // the pruned copy between rounds, only when KeepModelBetweenRounds

    /// <param name="original">The unpruned base model, never modified (devices in one process share it).</param>
    /// <param name="seed">Seeds this device's batch draws (mixed with the round number each round).</param>
    public DeviceRuntime(int id, LlamaWeights original, TokenizedClassificationSet train, TokenizedClassificationSet localTest,
        LocalTrainingSettings settings, ulong seed) : this(id, original, train.Count, localTest.Count, settings, seed)
    {
        _train = train;
        _localTest = localTest.Count > settings.LocalEvalLimit
            ? localTest.Subset(Enumerable.Range(0, settings.LocalEvalLimit).ToArray(), $"{localTest.Source} (first {settings.LocalEvalLimit})")
            : localTest;
    }

    /// <summary>An instruct-task device: LoRA through the frozen LM head, loss on response tokens; its local metric is
    /// exp(−mean response loss) = 1/perplexity (a share in (0, 1], higher is better, as accuracy is).</summary>
    public DeviceRuntime(int id, LlamaWeights original, TokenizedInstructSet train, TokenizedInstructSet localTest,
        LocalTrainingSettings settings, ulong seed) : this(id, original, train.Count, localTest.Count, settings, seed)
    {
        _instructTrain = train;
        _instructTest = localTest.Count > settings.LocalEvalLimit
            ? localTest.Subset(Enumerable.Range(0, settings.LocalEvalLimit).ToArray(), $"{localTest.Source} (first {settings.LocalEvalLimit})")
            : localTest;
    }

    /// <summary>What both tasks' devices share: the base, settings, seed, a full mask and fresh importance statistics.</summary>
    private DeviceRuntime(int id, LlamaWeights original, int trainCount, int testCount, LocalTrainingSettings settings, ulong seed)
    {
        if (trainCount == 0 || testCount == 0)
        {
            throw new ArgumentException($"device {id}: needs training and local test examples (has {trainCount} and {testCount})");
        }
        Id = id;
        _original = original;
        _settings = settings;
        _seed = seed;
        Mask = PruningMask.Full(original.LayerShapes);
        Importance = new ImportanceTracker(Mask.OriginalShapes, settings.ImportanceDecay);
    }

    public int Id { get; }
    public int SampleCount => _train?.Count ?? _instructTrain!.Count;
    public int LocalTestCount => _localTest?.Count ?? _instructTest!.Count;

    /// <summary>Whether the device trains the instruct task (no classification head).</summary>
    public bool Instruct => _instructTrain is not null;

    /// <summary>Kept units of the device's model, in the original coordinates.</summary>
    public PruningMask Mask { get; private set; }

    /// <summary>Unit importance gathered over every round so far (original coordinates).</summary>
    public ImportanceTracker Importance { get; }

    /// <summary>Keep the pruned copy between rounds instead of re-slicing it from the original when the next round
    /// starts (how devices worked before they shared the base; tests show results are the same either way).</summary>
    internal bool KeepModelBetweenRounds { get; set; }

    /// <summary>Config of the device's current pruned base (per-field maxima of its layer shapes).</summary>
    public LlamaConfig ModelConfig => ModelSlicer.ConfigFor(_original.Config, Mask.Shapes);

    /// <summary>A new copy of the device's current pruned base, sliced from the shared original; the caller owns it
    /// (and may merge into it). Idle devices hold no copy, so every call slices.</summary>
    public LlamaWeights CurrentModel() => ModelSlicer.Slice(_original, Mask);

    /// <summary>Restores a checkpointed device: its mask (its model is sliced from the original when it trains) and importance.</summary>
    public void Restore(PruningMask mask, IReadOnlyList<float[]> heads, IReadOnlyList<float[]> channels, int updates)
    {
        Mask = mask;
        _kept = null;
        Importance.Restore(heads, channels, updates);
    }

    /// <summary>Runs the round's local work and returns the report with compute FLOPs; times are left at zero (the
    /// caller observes them). A task holding a non-finite value is refused (InvalidDataException) before any work.</summary>
    public DeviceReport Run(RoundTask task)
    {
        if (TaskCheck.NonFinite(task) is string poisoned)
        {
            throw new InvalidDataException(poisoned);
        }
        var watch = Stopwatch.StartNew();
        var config = _original.Config;
        if (!task.Mask.Equals(Mask))
        {
            task.Mask.Validate($"round {task.Round} task mask");
            if (!task.Mask.OriginalShapes.SequenceEqual(_original.LayerShapes))
            {
                throw new InvalidDataException($"round {task.Round}: the task's mask is for another model's shapes");
            }
            Mask = task.Mask;
            _kept = null;
        }
        // The base this round trains on: the kept copy, the shared original itself when nothing is pruned (PruneAndTune
        // never modifies it), or a fresh slice of it; released (left to the collector) when Run returns.
        var model = _kept ?? (Mask.Equals(PruningMask.Full(_original.LayerShapes)) ? _original : ModelSlicer.Slice(_original, Mask));
        _kept = null;
        var lora = LoraWeights.Allocate(config, Mask.Shapes, _settings.Adapter.RankPerModule(task.Arm.Rank), task.Alpha);
        Load(lora, task.Factors);
        ClassificationHead? head = null;
        IFineTuneTask fineTune;
        if (_instructTrain is not null)
        {
            if (task.HeadWeight.Length != 0 || task.HeadBias.Length != 0)
            {
                throw new InvalidDataException($"round {task.Round}: the task sends a classification head to an instruct device");
            }
            fineTune = new InstructTask(_instructTrain, _instructTest!);
        }
        else
        {
            head = new ClassificationHead(config.HiddenSize, task.HeadBias.Length, new Rng(1), _settings.Pooling);
            CopyExact(task.HeadWeight, head.Weight.Span, "head weight");
            CopyExact(task.HeadBias, head.Bias.Span, "head bias");
            head.TrainingLogitOffsets = LogitOffsets(task.HeadBias.Length);
            fineTune = new ClassificationTask(head, _train!, _localTest!);
        }
        var settings = new PruneAndTuneSettings
        {
            Schedule = new OneShotSchedule(task.FinalSparsity, pruneStep: 1),
            Rank = task.Arm.Rank,
            Alpha = task.Alpha,
            Optimizer = new AdamWSettings(LearningRate: task.LearningRate, Epsilon: _settings.AdamEpsilon, WeightDecay: _settings.WeightDecay),
            MaxGradientNorm = _settings.MaxGradientNorm,
            Pruning = _settings.Pruning,
            ImportanceDecay = _settings.ImportanceDecay,
            Batch = _settings.Batch,
            Tokens = _settings.Tokens,
            Seed = RoundSeed(task.Round),
        };
        using var loop = new PruneAndTune(model, fineTune, ImportanceEstimators.Create(_settings.Importance), settings, lora, Mask, Importance);

        double flops = 0;
        var before = loop.Evaluate();
        flops += EvalFlops(loop.Model, task.Arm.Rank);
        // Prune first when importance exists from earlier rounds; the device's first prune waits for one step's gradients.
        bool pendingPrune = task.Sparsity > 0;
        if (pendingPrune && Importance.Updates > 0)
        {
            loop.PruneTo(task.Sparsity);
            pendingPrune = false;
        }
        double lossSum = 0;
        int steps = 0;
        for (int k = 0; k < task.LocalSteps; k++)
        {
            flops += StepFlops(loop.Model, task.Arm.Rank);
            lossSum += loop.Step();
            steps++;
            if (pendingPrune)
            {
                loop.PruneTo(task.Sparsity);
                pendingPrune = false;
            }
        }
        var after = loop.Evaluate();
        flops += EvalFlops(loop.Model, task.Arm.Rank);

        Mask = loop.Mask;
        _kept = KeepModelBetweenRounds && !ReferenceEquals(loop.Model, _original) ? loop.Model : null;
        var factors = loop.Lora.Adapters
            .Select(a => new ModuleFactors(a.Layer, a.Target, a.Adapter.Rank, a.Adapter.A.Span.ToArray(), a.Adapter.B.Span.ToArray()))
            .ToList();
        double localMetric = head is null ? Math.Exp(-after.Loss) : after.Value;   // instruct: 1/perplexity
        return new DeviceReport(task.RunId, task.Round, Id, Mask, factors, head?.Weight.Span.ToArray() ?? [], head?.Bias.Span.ToArray() ?? [],
            SampleCount, before.Loss, after.Loss, steps == 0 ? double.NaN : lossSum / steps, localMetric, LocalTestCount,
            flops, 0, 0, 0, watch.Elapsed.TotalSeconds);
    }

    /// <summary>τ·log of the local class prior (counts + ½), or null when logit adjustment is off.</summary>
    private float[]? LogitOffsets(int classes)
    {
        if (_settings.LogitAdjustment <= 0)
        {
            return null;
        }
        var counts = new double[classes];
        for (int i = 0; i < _train!.Count; i++)
        {
            counts[_train.Label(i)]++;
        }
        double total = counts.Sum() + 0.5 * classes;
        return counts.Select(c => (float)(_settings.LogitAdjustment * Math.Log((c + 0.5) / total))).ToArray();
    }

    /// <summary>Seed of a round's batch draws: the device seed mixed with the round (so a resumed run draws the same).</summary>
    private ulong RoundSeed(int round) => _seed * 0x9E3779B97F4A7C15UL + (ulong)round * 0xBF58476D1CE4E5B9UL + (ulong)Id;

    private double StepFlops(LlamaWeights model, int rank) =>
        TrainingCost.LoraStepFlops(model.Config, model.LayerShapes, _settings.Adapter.RankPerModule(rank), _settings.Batch, _settings.Tokens, lmHead: Instruct);

    private double EvalFlops(LlamaWeights model, int rank)
    {
        int batches = (LocalTestCount + _settings.Batch - 1) / _settings.Batch;
        return batches * TrainingCost.ForwardFlops(model.Config, model.LayerShapes, _settings.Adapter.RankPerModule(rank), _settings.Batch, _settings.Tokens, lmHead: Instruct);
    }

    private static void Load(LoraWeights lora, IReadOnlyList<ModuleFactors> factors)
    {
        foreach (var (layer, target, module, adapter) in lora.Adapters)
        {
            var f = factors.SingleOrDefault(x => x.Layer == layer && x.Target == target)
                ?? throw new InvalidDataException($"the round's LoRA has no factors for {module}");
            CopyExact(f.A, adapter.A.Span, $"{module} A");
            CopyExact(f.B, adapter.B.Span, $"{module} B");
        }
        if (factors.Count != lora.Adapters.Count())
        {
            throw new InvalidDataException($"the round's LoRA has {factors.Count} modules, the device trains {lora.Adapters.Count()}");
        }
    }

    private static void CopyExact(float[] source, Span<float> destination, string what)
    {
        if (source.Length != destination.Length)
        {
            throw new InvalidDataException($"{what}: {source.Length} values received, {destination.Length} expected");
        }
        source.CopyTo(destination);
    }
}
