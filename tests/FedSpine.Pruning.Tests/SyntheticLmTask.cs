// A synthetic language-modelling task for prune-and-tune tests: rows of an arithmetic token sequence (next = previous
// + stride, mod vocab) from a random start, so a tiny model can learn it; counts its calls; optional dummy parameters.
using FedSpine.Model.Tasks;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Pruning.Tests;

internal sealed class SyntheticLmTask(int vocab, int stride, IReadOnlyList<(string Name, Tensor Value, Tensor Grad)>? parameters = null) : IFineTuneTask
{
    public int Calls { get; private set; }

    /// <summary>Dummy task parameters whose gradient is 1 everywhere each step (they do not touch the loss).</summary>
    public IReadOnlyList<(string Name, Tensor Value, Tensor Grad)> Parameters { get; } = parameters ?? [];

    public float ForwardBackward(TrainingGraph graph, Rng rng)
    {
        Calls++;
        foreach (var (_, _, grad) in Parameters)
        {
            grad.Span.Fill(1f);
        }
        var (inputs, targets) = Batch(graph, rng);
        return graph.ForwardBackward(inputs, targets);
    }

    /// <summary>Loss on a fixed batch (seed 0); the metric is that loss.</summary>
    public EvalResult Evaluate(TrainingGraph graph)
    {
        var (inputs, targets) = Batch(graph, new Rng(0));
        float loss = graph.Loss(inputs, targets);
        return new EvalResult("loss", loss, loss, inputs.Length);
    }

    private (int[] Inputs, int[] Targets) Batch(TrainingGraph graph, Rng rng)
    {
        int tokens = graph.Tokens;
        var inputs = new int[graph.Batch * tokens];
        var targets = new int[inputs.Length];
        for (int b = 0; b < graph.Batch; b++)
        {
            int token = rng.NextInt(vocab);
            for (int t = 0; t < tokens; t++)
            {
                inputs[b * tokens + t] = token;
                token = (token + stride) % vocab;
                targets[b * tokens + t] = token;
            }
        }
        return (inputs, targets);
    }
}
