// Instruction tuning as a fine-tuning task: causal-LM loss through the model's own LM head on response tokens and the
// end-of-text token only (prompt targets −1); evaluation is response perplexity over the evaluation set (per category too).
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Model.Tasks;

public sealed class InstructTask : IFineTuneTask
{
    private readonly TokenizedInstructSet _train;
    private readonly TokenizedInstructSet _eval;
    private int[] _inputs = [];    // [batch·tokens]
    private int[] _targets = [];   // [batch·tokens]

    /// <param name="evalRecords">The evaluation set's records (for generating responses), when the caller has them.</param>
    public InstructTask(TokenizedInstructSet train, TokenizedInstructSet eval, InstructDataset? evalRecords = null)
    {
        foreach (var set in new[] { train, eval })
        {
            if (set.Count == 0)
            {
                throw new ArgumentException($"{set.Source}: no examples");
            }
        }
        _train = train;
        _eval = eval;
        EvalRecords = evalRecords;
    }

    public InstructDataset? EvalRecords { get; }

    public TokenizedInstructSet Train => _train;
    public TokenizedInstructSet Eval => _eval;

    /// <summary>None: the LM head is the model's own and stays frozen (LoRA adapts the backbone).</summary>
    public IReadOnlyList<(string Name, Tensor Value, Tensor Grad)> Parameters => [];

    /// <summary>graph.Batch training examples drawn uniformly with replacement; mean loss over their scored targets.</summary>
    public float ForwardBackward(TrainingGraph graph, Rng rng)
    {
        Buffers(graph);
        int tokens = graph.Tokens;
        for (int r = 0; r < graph.Batch; r++)
        {
            _train[rng.NextInt(_train.Count)].Fill(_inputs.AsSpan(r * tokens, tokens), _targets.AsSpan(r * tokens, tokens), _train.PadId);
        }
        return graph.ForwardBackward(_inputs, _targets);
    }

    public EvalResult Evaluate(TrainingGraph graph) => Evaluate(graph, _eval).ToResult();

    /// <summary>Response perplexity of a set (overall and per category), in batches of the graph's shape; no gradients.</summary>
    public static ResponsePerplexity Evaluate(TrainingGraph graph, TokenizedInstructSet set)
    {
        int tokens = graph.Tokens, batch = graph.Batch;
        if (tokens < set.MaxTokens)
        {
            throw new ArgumentException($"{set.Source}: rows of {set.MaxTokens} tokens do not fit a graph of {tokens}");
        }
        var inputs = new int[batch * tokens];
        var targets = new int[batch * tokens];
        var result = new ResponsePerplexity(set.Categories);
        for (int start = 0; start < set.Count; start += batch)
        {
            int rows = Math.Min(batch, set.Count - start);
            for (int r = 0; r < batch; r++)
            {
                var rowInputs = inputs.AsSpan(r * tokens, tokens);
                var rowTargets = targets.AsSpan(r * tokens, tokens);
                if (r < rows)
                {
                    set[start + r].Fill(rowInputs, rowTargets, set.PadId);
                }
                else
                {
                    rowInputs.Fill(set.PadId);
                    rowTargets.Fill(CrossEntropy.IgnoreIndex);
                }
            }
            graph.Loss(inputs, targets);
            var logits = graph.Logits.Span;
            int vocab = graph.Logits.Dim(1);
            for (int r = 0; r < rows; r++)
            {
                result.Add(logits.Slice(r * tokens * vocab, tokens * vocab), targets.AsSpan(r * tokens, tokens), vocab, set[start + r].Category);
            }
        }
        return result;
    }

    private void Buffers(TrainingGraph graph)
    {
        if (graph.Tokens < _train.MaxTokens)
        {
            throw new ArgumentException($"{_train.Source}: rows of {_train.MaxTokens} tokens do not fit a graph of {graph.Tokens}");
        }
        int rows = graph.Batch * graph.Tokens;
        if (_inputs.Length != rows)
        {
            _inputs = new int[rows];
            _targets = new int[rows];
        }
    }
}
