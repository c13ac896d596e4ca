// Response perplexity, overall and per category: exp(Σ −log p(target) / N) over the scored (response and end-of-text)
// targets of every example, each example's tokens added to its category's sums too.
using System.Globalization;
using FedSpine.Tensors;

namespace FedSpine.Model.Tasks;

public sealed class ResponsePerplexity
{
    private readonly double[] _lossSum;   // [categories]: Σ −log p over scored targets
    private readonly long[] _count;       // [categories]: scored targets
    private readonly List<double> _exampleLoss = [];   // [examples added]: each one's mean −log p (NaN when none scored)

    public ResponsePerplexity(IReadOnlyList<string> categories)
    {
        Categories = categories;
        _lossSum = new double[categories.Count];
        _count = new long[categories.Count];
    }

    public IReadOnlyList<string> Categories { get; }
    public long Count => _count.Sum();
    public double MeanLoss => Count == 0 ? double.NaN : _lossSum.Sum() / Count;
    public double Value => Math.Exp(MeanLoss);

    /// <summary>Adds one example: logits [tokens, vocab] and targets [tokens] (−1 = not scored).</summary>
    public void Add(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int vocab, int category)
    {
        int tokens = targets.Length;
        int scored = 0;
        foreach (int t in targets)
        {
            if (t != CrossEntropy.IgnoreIndex)
            {
                scored++;
            }
        }
        if (scored == 0)
        {
            _exampleLoss.Add(double.NaN);
            return;
        }
        double mean = CrossEntropy.Forward(logits[..(tokens * vocab)], targets, tokens, vocab);
        _exampleLoss.Add(mean);
        _lossSum[category] += mean * scored;
        _count[category] += scored;
    }

    /// <summary>Perplexity of one category's examples (NaN when it has none).</summary>
    public double OfCategory(int category) => _count[category] == 0 ? double.NaN : Math.Exp(_lossSum[category] / _count[category]);

    /// <summary>Perplexity over the examples of several categories together (their scored targets pooled); NaN when
    /// they have none.</summary>
    public double OfCategories(IEnumerable<int> categories)
    {
        double loss = 0;
        long count = 0;
        foreach (int c in categories.Distinct())
        {
            loss += _lossSum[c];
            count += _count[c];
        }
        return count == 0 ? double.NaN : Math.Exp(loss / count);
    }

    /// <summary>Each added example's mean response loss, in the order added (NaN for an example with nothing scored).</summary>
    public IReadOnlyList<double> ExampleLoss => _exampleLoss;

    /// <summary>Scored targets of one category.</summary>
    public long CountOf(int category) => _count[category];

    /// <summary>Per category (name, perplexity, scored tokens), in category order.</summary>
    public IReadOnlyList<(string Category, double Perplexity, long Tokens)> ByCategory() =>
        Categories.Select((c, i) => (c, OfCategory(i), _count[i])).ToList();

    /// <summary>The task-level result: metric "perplexity", mean loss, scored tokens.</summary>
    public EvalResult ToResult() => new("perplexity", Value, MeanLoss, Count);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"response perplexity {Value:F3} over {Count} tokens");
}
