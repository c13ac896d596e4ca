// Pruning without training: score an unpruned model once with a gradient-free criterion (or bring accumulated
// importance), choose the units to keep at a ratio, and slice the model and its adapters in one call.
using FedSpine.Model;
using FedSpine.Model.Lora;

namespace FedSpine.Pruning;

public static class StructuredPruner
{
    /// <summary>One estimate of an unpruned model by a criterion that needs no gradients (e.g. magnitude).</summary>
    public static ImportanceTracker Score(LlamaWeights model, IImportanceEstimator estimator, LoraWeights? lora = null)
    {
        if (estimator.NeedsLoraGradients || estimator.NeedsBaseGradients)
        {
            throw new ArgumentException($"{estimator.Name} importance needs gradients from training steps; use PruneAndTune, or magnitude importance here");
        }
        estimator.CheckCompatible(model, lora);
        var tracker = new ImportanceTracker(model.LayerShapes);
        tracker.Update(estimator.Estimate(new ImportanceContext(model, lora)), PruningMask.Full(model.LayerShapes));
        return tracker;
    }

    /// <summary>Cuts an unpruned model (and its adapters) to <paramref name="ratio"/>, keeping the most important units;
    /// the inputs are left unchanged.</summary>
    public static PrunedModel Prune(LlamaWeights model, ImportanceTracker importance, double ratio, PruningOptions? options = null, LoraWeights? lora = null)
    {
        var full = PruningMask.Full(model.LayerShapes);
        var mask = MaskSelector.Select(full, importance, ratio, options ?? new PruningOptions());
        var map = SliceMap.Create(model.Config, full, mask);
        return new PrunedModel(ModelSlicer.Slice(model, map), lora is null ? null : ModelSlicer.Slice(lora, map), mask,
            SparsityReport.Measure(model.Config, mask));
    }
}
