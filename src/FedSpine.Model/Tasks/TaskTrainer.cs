// One optimisation step of any fine-tuning task: zero gradients, forward-backward, clip the global norm, AdamW update.
// The step's gradients stay in their sinks until the next step, for importance estimators to read.
using FedSpine.Model.Lora;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Model.Tasks;

public static class TaskTrainer
{
    /// <summary>The adapters' factors followed by the task's own parameters, each with its gradient.</summary>
    public static ParameterSet Parameters(LoraWeights lora, LoraWeights loraGrads, IFineTuneTask task) =>
        new(ParameterSet.FromLora(lora, loraGrads).Items.Concat(task.Parameters).ToList());

    /// <summary>One step; returns the training batch's loss. A non-finite loss throws before any update; maxGradNorm ≤ 0
    /// turns clipping off.</summary>
    public static float Step(IFineTuneTask task, TrainingGraph graph, ParameterSet parameters, AdamWOptimizer optimizer, Rng rng, double maxGradNorm = 1.0)
    {
        parameters.ZeroGradients();
        float loss = task.ForwardBackward(graph, rng);
        if (!float.IsFinite(loss))
        {
            throw new InvalidOperationException($"training loss is {loss}; the update was not applied (lower the learning rate?)");
        }
        parameters.ClipGradients(maxGradNorm);
        optimizer.Step();
        return loss;
    }
}
