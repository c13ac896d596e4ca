// Importance of an unpruned model from a few calibration batches without training: forward/backward on task batches
// (fresh adapters for the LoRA criterion, base gradients for Taylor), the estimator's scores averaged by the tracker.
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Model.Tasks;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Pruning;

public static class ImportanceCalibration
{
    /// <summary>Scores <paramref name="model"/> over <paramref name="batches"/> batches of <paramref name="task"/>; no weight
    /// changes. Gradient-free estimators (magnitude) score once and ignore the task.</summary>
    public static ImportanceTracker Score(LlamaWeights model, IImportanceEstimator estimator, IFineTuneTask? task, int batches,
        int batch, int tokens, ulong seed, int rank = 8, float alpha = 16)
    {
        if (!estimator.NeedsLoraGradients && !estimator.NeedsBaseGradients)
        {
            return StructuredPruner.Score(model, estimator);
        }
        if (task is null)
        {
            throw new ArgumentException($"{estimator.Name} importance needs calibration data (gradients of a task loss)");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 1);
        var rng = new Rng(seed);
        LoraWeights? lora = null, loraGrads = null;
        if (estimator.NeedsLoraGradients)
        {
            lora = LoraWeights.Allocate(model, LoraTargets.All, rank, alpha);
            lora.InitializeForTraining(rng);
            loraGrads = lora.ZerosLike();
        }
        var baseGrads = estimator.NeedsBaseGradients ? LlamaWeights.Allocate(model.Config, model.LayerShapes) : null;
        estimator.CheckCompatible(model, lora);
        var graph = new TrainingGraph(model, lora, baseGrads, loraGrads, batch, tokens);
        var full = PruningMask.Full(model.LayerShapes);
        var tracker = new ImportanceTracker(model.LayerShapes, decay: 1.0 - 1.0 / batches);
        for (int i = 0; i < batches; i++)
        {
            loraGrads?.Clear();
            foreach (var (_, g) in baseGrads?.NamedTensors ?? [])
            {
                g.Clear();
            }
            foreach (var (_, _, g) in task.Parameters)
            {
                g.Clear();
            }
            float loss = task.ForwardBackward(graph, rng);
            if (!float.IsFinite(loss))
            {
                throw new InvalidOperationException($"calibration loss is {loss} on batch {i + 1}");
            }
            tracker.Update(estimator.Estimate(new ImportanceContext(model, lora, loraGrads, baseGrads)), full);
        }
        return tracker;
    }
}
