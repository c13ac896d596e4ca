// Text classification as a fine-tuning task: backbone to final hidden states, ClassificationHead loss, backward from the
// head's dHidden; class-stratified training batches, evaluation is accuracy over the whole evaluation set.
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Model.Tasks;

public sealed class ClassificationTask : IFineTuneTask
{
    private readonly TokenizedClassificationSet _train;
    private readonly TokenizedClassificationSet _eval;
    private readonly int[][] _trainByClass;   // [classes][examples of that class]
    private ClassificationBatch? _batch;
    private float[] _dHidden = [];   // [batch·tokens, hidden]
    private float[] _logits = [];    // [batch, classes]

    public ClassificationTask(ClassificationHead head, TokenizedClassificationSet train, TokenizedClassificationSet eval)
    {
        foreach (var set in new[] { train, eval })
        {
            if (set.ClassCount != head.Classes)
            {
                throw new ArgumentException($"{set.Source}: {set.ClassCount} classes, but the head has {head.Classes}");
            }
            if (set.Count == 0)
            {
                throw new ArgumentException($"{set.Source}: no examples");
            }
        }
        Head = head;
        _train = train;
        _eval = eval;
        _trainByClass = Enumerable.Range(0, train.ClassCount)
            .Select(c => Enumerable.Range(0, train.Count).Where(i => train.Label(i) == c).ToArray()).ToArray();
    }

    public ClassificationHead Head { get; }

    public IReadOnlyList<(string Name, Tensor Value, Tensor Grad)> Parameters => Head.Parameters;

    public float ForwardBackward(TrainingGraph graph, Rng rng)
    {
        var batch = BatchFor(graph);
        SampleTrainingBatch(rng, batch);
        return ForwardBackward(graph, batch);
    }

    /// <summary>Fills batch with a stratified draw from the training set: class c fills floor(rows·n_c/n) rows and the
    /// rows left over take examples from the whole set, each drawn uniformly with replacement. Keeping the class mix of
    /// every batch fixed keeps the class prior out of the gradient noise (on VADER this learns markedly faster).</summary>
    public void SampleTrainingBatch(Rng rng, ClassificationBatch batch)
    {
        var indices = new int[batch.Batch];
        int row = 0;
        foreach (int[] members in _trainByClass)
        {
            int quota = (int)((long)batch.Batch * members.Length / _train.Count);
            for (int k = 0; k < quota; k++)
            {
                indices[row++] = members[rng.NextInt(members.Length)];
            }
        }
        while (row < indices.Length)
        {
            indices[row++] = rng.NextInt(_train.Count);
        }
        batch.Fill(_train, indices);
    }

    /// <summary>Loss of a given batch, with gradients added into the head and the graph's sinks.</summary>
    public float ForwardBackward(TrainingGraph graph, ClassificationBatch batch)
    {
        var hidden = Hidden(graph, batch);
        if (_dHidden.Length != hidden.Length)
        {
            _dHidden = new float[hidden.Length];
        }
        float loss = Head.ForwardBackward(hidden, batch.Lengths, batch.Labels, batch.Tokens, _dHidden);
        graph.BackwardFromHidden(_dHidden);
        return loss;
    }

    /// <summary>Loss of a given batch; no gradients.</summary>
    public float Loss(TrainingGraph graph, ClassificationBatch batch) =>
        Head.Loss(Hidden(graph, batch), batch.Lengths, batch.Labels, batch.Tokens);

    /// <summary>Accuracy (argmax of the logits, lowest class on ties) and mean loss over the evaluation set.</summary>
    public EvalResult Evaluate(TrainingGraph graph) => Evaluate(graph, []);

    /// <summary>As Evaluate, also writing whether each evaluation example was classified right into correct (its length
    /// the evaluation set's count, or empty to skip).</summary>
    public EvalResult Evaluate(TrainingGraph graph, Span<bool> correct)
    {
        if (!correct.IsEmpty && correct.Length != _eval.Count)
        {
            throw new ArgumentException($"correct has {correct.Length} entries for {_eval.Count} evaluation examples");
        }
        var batch = BatchFor(graph);
        int classes = Head.Classes;
        if (_logits.Length != batch.Batch * classes)
        {
            _logits = new float[batch.Batch * classes];
        }
        var indices = new int[batch.Batch];
        long correctCount = 0;
        double lossSum = 0;
        for (int start = 0; start < _eval.Count; start += batch.Batch)
        {
            int rows = Math.Min(batch.Batch, _eval.Count - start);
            for (int r = 0; r < rows; r++)
            {
                indices[r] = start + r;
            }
            batch.Fill(_eval, indices.AsSpan(0, rows));
            Head.Forward(Hidden(graph, batch), batch.Lengths, batch.Tokens, _logits);
            lossSum += (double)CrossEntropy.Forward(_logits, batch.Labels, batch.Batch, classes) * rows;
            for (int r = 0; r < rows; r++)
            {
                var row = _logits.AsSpan(r * classes, classes);
                bool right = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(row) == batch.Labels[r];
                if (right)
                {
                    correctCount++;
                }
                if (!correct.IsEmpty)
                {
                    correct[start + r] = right;
                }
            }
        }
        return new EvalResult("accuracy", (double)correctCount / _eval.Count, lossSum / _eval.Count, _eval.Count);
    }

    // The final hidden states [batch·tokens, hidden] of the batch's inputs.
    private ReadOnlySpan<float> Hidden(TrainingGraph graph, ClassificationBatch batch)
    {
        if (batch.Batch != graph.Batch || batch.Tokens != graph.Tokens)
        {
            throw new ArgumentException($"a [{batch.Batch}, {batch.Tokens}] batch for a [{graph.Batch}, {graph.Tokens}] training graph");
        }
        graph.ForwardHidden(batch.Inputs);
        var hidden = graph.Hidden;
        if (hidden.Dim(1) != Head.Hidden)
        {
            throw new ArgumentException($"the model's hidden size is {hidden.Dim(1)}, the head's {Head.Hidden}");
        }
        return hidden.Span;
    }

    private ClassificationBatch BatchFor(TrainingGraph graph)
    {
        if (_batch is null || _batch.Batch != graph.Batch || _batch.Tokens != graph.Tokens)
        {
            _batch = new ClassificationBatch(graph.Batch, graph.Tokens);
        }
        return _batch;
    }
}
