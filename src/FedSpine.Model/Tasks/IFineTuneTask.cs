// A fine-tuning objective over a TrainingGraph of any shape (pruning rebuilds the graph; the task keeps its data and
// head): one training batch's forward and backward, and evaluation without gradients. Callers zero gradients and step.
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Model.Tasks;

public interface IFineTuneTask
{
    /// <summary>Trainable tensors the task owns besides the model and its adapters (a classification head; none for
    /// language modelling). Join them with the adapters' in one ParameterSet (TaskTrainer.Parameters).</summary>
    IReadOnlyList<(string Name, Tensor Value, Tensor Grad)> Parameters { get; }

    /// <summary>Draws a training batch of graph.Batch rows with rng, runs forward and backward, and adds the gradients
    /// into the graph's sinks and Parameters' gradients; returns the batch's mean loss.</summary>
    float ForwardBackward(TrainingGraph graph, Rng rng);

    /// <summary>Metric and mean loss over the task's evaluation set, in batches of the graph's shape; no gradients.</summary>
    EvalResult Evaluate(TrainingGraph graph);
}
