// The prune-and-tune loop on one machine: LoRA steps on a task, importance folded in every step, and structured pruning
// whenever the schedule's ratio rises (model, adapters, gradients, AdamW moments and graph rebuilt at the new shapes).
using FedSpine.Model.Tasks;
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Pruning;

public sealed class PruneAndTune : IDisposable
{
    private readonly IFineTuneTask _task;
    private readonly IImportanceEstimator _estimator;
    private readonly Rng _rng;
    private LoraWeights _loraGrads;
    private LlamaWeights? _baseGrads;
    private ParameterSet _parameters;
    private AdamWOptimizer _optimizer;
    private TrainingGraph _graph;

    /// <summary>Checks everything that can fail before any work: masks, adapters, that the schedule's ratios leave every
    /// pruned layer a head and a channel, that every LoRA rank fits the schedule's final module shapes, and that the
    /// estimator can score these adapters. <paramref name="model"/> is never modified (pruning builds new weights).</summary>
    /// <param name="lora">Adapters to continue from (shaped like the model), or null for fresh ones from the settings.</param>
    /// <param name="mask">How <paramref name="model"/> was already pruned from its original, or null when it is unpruned.</param>
    /// <param name="importance">Importance gathered earlier on this model's original (a device across federated rounds),
    /// folded into from here on; null starts a fresh tracker.</param>
    public PruneAndTune(LlamaWeights model, IFineTuneTask task, IImportanceEstimator estimator, PruneAndTuneSettings settings,
        LoraWeights? lora = null, PruningMask? mask = null, ImportanceTracker? importance = null)
    {
        settings.Validate();
        settings.Pruning.Validate(model.Layers.Count);
        mask ??= PruningMask.Full(model.LayerShapes);
        mask.Validate("pruning mask");
        if (!mask.Shapes.SequenceEqual(model.LayerShapes))
        {
            throw new ArgumentException("the pruning mask's current shapes are not the model's layer shapes");
        }
        var finalShapes = settings.Schedule.Events.Aggregate(mask.Shapes,
            (shapes, e) => UnitCountPlanner.PlanShapes(mask.OriginalShapes, shapes, e.Ratio, settings.Pruning, settings.Schedule.Target));
        var rng = new Rng(settings.Seed);
        if (lora is null)
        {
            lora = LoraWeights.Allocate(model, settings.Targets, settings.Rank, settings.Alpha);
            lora.InitializeForTraining(rng);
        }
        CheckAdapters(model, lora, finalShapes, settings.Schedule.Target);
        estimator.CheckCompatible(model, lora);

        _task = task;
        _estimator = estimator;
        _rng = rng;
        Settings = settings;
        Model = model;
        Lora = lora;
        Mask = mask;
        if (importance is not null && !importance.Heads.Select(h => h.Length).SequenceEqual(mask.OriginalShapes.Select(o => o.Heads)))
        {
            throw new ArgumentException("the importance tracker was made for another model's original shapes");
        }
        Importance = importance ?? new ImportanceTracker(mask.OriginalShapes, settings.ImportanceDecay);
        (_loraGrads, _baseGrads, _parameters, _optimizer, _graph) = Build(model, lora, task, estimator, settings);
    }

    public PruneAndTuneSettings Settings { get; }

    /// <summary>The current (pruned) model; a new object after every prune.</summary>
    public LlamaWeights Model { get; private set; }
    public LoraWeights Lora { get; private set; }

    /// <summary>Kept units in the original model's coordinates.</summary>
    public PruningMask Mask { get; private set; }
    public ImportanceTracker Importance { get; }
    public int StepCount { get; private set; }
    public SparsityReport Sparsity => SparsityReport.Measure(Model.Config, Mask);

    /// <summary>One LoRA step: forward/backward on a task batch, importance update from this step's gradients, clipping,
    /// AdamW. Returns the batch loss; a non-finite loss throws before any update.</summary>
    public float Step()
    {
        _parameters.ZeroGradients();
        if (_baseGrads is not null)
        {
            foreach (var (_, grad) in _baseGrads.NamedTensors)
            {
                grad.Clear();
            }
        }
        float loss = _task.ForwardBackward(_graph, _rng);
        if (!float.IsFinite(loss))
        {
            throw new InvalidOperationException($"training loss is {loss} at step {StepCount + 1}; the update was not applied (lower the learning rate?)");
        }
        Importance.Update(_estimator.Estimate(new ImportanceContext(Model, Lora, _loraGrads, _baseGrads)), Mask);
        _parameters.ClipGradients(Settings.MaxGradientNorm);
        _optimizer.Step();
        StepCount++;
        return loss;
    }

    /// <summary>The task's evaluation (metric and loss) of the current model and adapters; no gradients, no update.</summary>
    public EvalResult Evaluate() => _task.Evaluate(_graph);

    /// <summary>Removes the least important units so every layer is at <paramref name="ratio"/> (as the options scale
    /// it), never below the GQA structure the schedule's target needs; returns false when nothing had to go. Without
    /// any step yet, only a gradient-free estimator can score.</summary>
    public bool PruneTo(double ratio)
    {
        if (Importance.Updates == 0)
        {
            if (_estimator.NeedsLoraGradients || _estimator.NeedsBaseGradients)
            {
                throw new InvalidOperationException($"{_estimator.Name} importance needs at least one training step before pruning");
            }
            Importance.Update(_estimator.Estimate(new ImportanceContext(Model, Lora)), Mask);
        }
        var next = MaskSelector.Select(Mask, Importance, ratio, Settings.Pruning, Math.Max(ratio, Settings.Schedule.Target));
        if (next.Equals(Mask))
        {
            return false;
        }
        var map = SliceMap.Create(Model.Config, Mask, next);
        var (m, v) = LoraOptimizerState.Capture(_optimizer, Lora);
        var taskMoments = _optimizer.Moments.Skip(_optimizer.Moments.Count - _task.Parameters.Count).Select(p => (M: p.M.Clone(), V: p.V.Clone())).ToArray();
        int optimizerSteps = _optimizer.StepCount;

        Model = ModelSlicer.Slice(Model, map);
        Lora = ModelSlicer.Slice(Lora, map);
        Mask = next;
        _graph.Dispose();   // the new graph reuses its activation block
        (_loraGrads, _baseGrads, _parameters, _optimizer, _graph) = Build(Model, Lora, _task, _estimator, Settings);
        LoraOptimizerState.Restore(_optimizer, ModelSlicer.Slice(m, map), ModelSlicer.Slice(v, map));
        var moments = _optimizer.Moments;
        for (int i = 0; i < taskMoments.Length; i++)
        {
            var (mo, vo) = moments[moments.Count - taskMoments.Length + i];
            taskMoments[i].M.Span.CopyTo(mo.Span);
            taskMoments[i].V.Span.CopyTo(vo.Span);
        }
        _optimizer.SetStepCount(optimizerSteps);
        return true;
    }

    /// <summary>Runs the schedule: Schedule.TotalSteps LoRA steps, pruning after each step where the ratio rises, then
    /// recovery; <paramref name="progress"/> hears about every step.</summary>
    public PruneAndTuneResult Run(Action<PruneProgress>? progress = null)
    {
        var schedule = Settings.Schedule;
        var losses = new float[schedule.TotalSteps];
        for (int t = 1; t <= schedule.TotalSteps; t++)
        {
            losses[t - 1] = Step();
            double ratio = schedule.RatioAt(t);
            bool pruned = ratio > schedule.RatioAt(t - 1) && PruneTo(ratio);
            progress?.Invoke(new PruneProgress(t, schedule.TotalSteps, losses[t - 1], ratio, pruned, Sparsity));
        }
        return new PruneAndTuneResult(Model, Lora, Mask, Importance, Sparsity, losses);
    }

    /// <summary>Hands the training graph's activation block to the next graph built on this thread; no Step, Evaluate or
    /// PruneTo afterwards (Model, Lora, Mask and Importance stay readable).</summary>
    public void Dispose() => _graph.Dispose();

    private static (LoraWeights, LlamaWeights?, ParameterSet, AdamWOptimizer, TrainingGraph) Build(LlamaWeights model, LoraWeights lora,
        IFineTuneTask task, IImportanceEstimator estimator, PruneAndTuneSettings settings)
    {
        var loraGrads = lora.ZerosLike();
        var baseGrads = estimator.NeedsBaseGradients ? LlamaWeights.Allocate(model.Config, model.LayerShapes) : null;
        var parameters = new ParameterSet(ParameterSet.FromLora(lora, loraGrads).Items.Concat(task.Parameters).ToList());
        var optimizer = new AdamWOptimizer(parameters, settings.Optimizer);
        var graph = new TrainingGraph(model, lora, baseGrads, loraGrads, settings.Batch, settings.Tokens);
        return (loraGrads, baseGrads, parameters, optimizer, graph);
    }

    /// <summary>Adapters must match the model now and their ranks must still fit once the schedule has pruned.</summary>
    private static void CheckAdapters(LlamaWeights model, LoraWeights lora, IReadOnlyList<LayerShape> finalShapes, double target)
    {
        if (lora.LayerCount != model.Layers.Count)
        {
            throw new ArgumentException($"adapters for {lora.LayerCount} layers, the model has {model.Layers.Count}");
        }
        int d = model.Config.HiddenSize, hd = model.Config.HeadDim;
        foreach (var (layer, kind, module, adapter) in lora.Adapters)
        {
            var (outDim, inDim) = kind.Dims(model.Layers[layer].Shape, d, hd);
            if (adapter.Out != outDim || adapter.In != inDim)
            {
                throw new ArgumentException($"adapter {module} is {adapter.Out}x{adapter.In}, but the model's module is {outDim}x{inDim}");
            }
            var (finalOut, finalIn) = kind.Dims(finalShapes[layer], d, hd);
            if (adapter.Rank > Math.Min(finalOut, finalIn))
            {
                throw new ArgumentException($"LoRA rank {adapter.Rank} on {module} exceeds the module's dimensions {finalOut}x{finalIn} " +
                                            $"once pruned to ratio {target:0.###}; lower the rank or the target");
            }
        }
    }
}
