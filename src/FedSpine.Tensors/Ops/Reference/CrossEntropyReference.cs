// Plain reference softmax cross-entropy: scalar loops in double, mean over rows whose target is not IgnoreIndex.
// The fast CrossEntropy kernel is tested against this; same contract as CrossEntropy.
namespace FedSpine.Tensors;

public static class CrossEntropyReference
{
    /// <summary>Mean loss. logits: [rows, vocab]; targets: [rows].</summary>
    public static float Forward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int rows, int vocab)
    {
        int counted = CrossEntropy.CountTargets(logits.Length, targets, rows, vocab);
        double sum = 0;
        for (int r = 0; r < rows; r++)
        {
            if (targets[r] != CrossEntropy.IgnoreIndex)
            {
                sum += LogSumExp(logits.Slice(r * vocab, vocab)) - logits[r * vocab + targets[r]];
            }
        }
        return counted == 0 ? 0f : (float)(sum / counted);
    }

    /// <summary>Mean loss and dLogits [rows, vocab] = (softmax − onehot)/countedRows; dLogits may alias logits.</summary>
    public static float ForwardBackward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> dLogits, int rows, int vocab)
    {
        OpsArgs.Holds(dLogits.Length, (long)rows * vocab, nameof(dLogits));
        float loss = Forward(logits, targets, rows, vocab);
        int counted = CrossEntropy.CountTargets(logits.Length, targets, rows, vocab);
        for (int r = 0; r < rows; r++)
        {
            int t = targets[r];
            var drow = dLogits.Slice(r * vocab, vocab);
            if (t == CrossEntropy.IgnoreIndex)
            {
                drow.Clear();
                continue;
            }
            double lse = LogSumExp(logits.Slice(r * vocab, vocab));
            for (int c = 0; c < vocab; c++)
            {
                double p = Math.Exp(logits[r * vocab + c] - lse);
                drow[c] = (float)((p - (c == t ? 1 : 0)) / counted);
            }
        }
        return loss;
    }

    private static double LogSumExp(ReadOnlySpan<float> row)
    {
        double max = double.NegativeInfinity;
        foreach (float v in row)
        {
            max = Math.Max(max, v);
        }
        double sum = 0;
        foreach (float v in row)
        {
            sum += Math.Exp(v - max);
        }
        return max + Math.Log(sum);
    }
}
