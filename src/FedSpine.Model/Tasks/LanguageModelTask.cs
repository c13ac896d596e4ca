// Causal language modelling as a fine-tuning task: random training windows, next-token loss through the LM head;
// evaluation is perplexity = exp(mean token loss) over the evaluation stream's sequential windows.
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Model.Tasks;

public sealed class LanguageModelTask : IFineTuneTask
{
    private readonly LanguageModelDataset _train;
    private readonly LanguageModelDataset _eval;
    private readonly int _maxEvalWindows;
    private int[] _inputs = [];    // [batch·tokens]
    private int[] _targets = [];   // [batch·tokens]

    /// <param name="maxEvalWindows">Evaluate on at most this many windows from the start of the evaluation stream.</param>
    public LanguageModelTask(LanguageModelDataset train, LanguageModelDataset eval, int maxEvalWindows = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvalWindows, 1);
        _train = train;
        _eval = eval;
        _maxEvalWindows = maxEvalWindows;
    }

    public IReadOnlyList<(string Name, Tensor Value, Tensor Grad)> Parameters => [];

    public float ForwardBackward(TrainingGraph graph, Rng rng)
    {
        Buffers(graph);
        _train.RandomWindows(rng, graph.Batch, graph.Tokens, _inputs, _targets);
        return graph.ForwardBackward(_inputs, _targets);
    }

    public EvalResult Evaluate(TrainingGraph graph)
    {
        Buffers(graph);
        int windows = Math.Min(_eval.WindowCount(graph.Tokens), _maxEvalWindows);
        if (windows == 0)
        {
            throw new ArgumentException($"{_eval.Source}: {_eval.Count} tokens, fewer than one window of {graph.Tokens + 1}");
        }
        double lossSum = 0;
        long scored = 0;
        for (int first = 0; first < windows; first += graph.Batch)
        {
            int rows = _eval.SequentialWindows(first, graph.Batch, graph.Tokens, _inputs, _targets, windowLimit: windows);
            long count = (long)rows * graph.Tokens;
            lossSum += (double)graph.Loss(_inputs, _targets) * count;
            scored += count;
        }
        double mean = lossSum / scored;
        return new EvalResult("perplexity", Math.Exp(mean), mean, scored);
    }

    private void Buffers(TrainingGraph graph)
    {
        int rows = graph.Batch * graph.Tokens;
        if (_inputs.Length != rows)
        {
            _inputs = new int[rows];
            _targets = new int[rows];
        }
    }
}
