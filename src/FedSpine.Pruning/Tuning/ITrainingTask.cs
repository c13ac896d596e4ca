// What prune-and-tune needs from a fine-tuning objective, independent of any dataset: one training batch's forward and
// backward on a TrainingGraph of whatever (pruned) shape it is given, plus any trainable tensors the task owns.
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Pruning;

public interface ITrainingTask
{
    /// <summary>Trainable tensors the task owns besides the adapters (a classification head over hidden states, which
    /// pruning never changes); optimised with the adapters. Empty for language modelling.</summary>
    IReadOnlyList<(string Name, Tensor Value, Tensor Grad)> Parameters { get; }

    /// <summary>Draws a training batch of graph.Batch rows with <paramref name="rng"/>, runs forward and backward (adding
    /// gradients into the graph's sinks and Parameters' gradients) and returns the batch's mean loss.</summary>
    float ForwardBackward(TrainingGraph graph, Rng rng);
}
