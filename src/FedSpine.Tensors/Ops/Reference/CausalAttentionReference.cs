// Plain reference causal grouped-query attention: scalar loops in double, one (batch, head, query) at a time.
// The fast CausalAttention kernels are tested against this; same contract as CausalAttention.
namespace FedSpine.Tensors;

public static class CausalAttentionReference
{
    /// <summary>q, output: [batch, tokens, heads, headDim]; k, v: [batch, tokens, kvHeads, headDim];
    /// probs: [batch, heads, tokens, tokens] (written, zero above the diagonal and before a window).</summary>
    public static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output, Span<float> probs,
        int batch, int tokens, int heads, int kvHeads, int headDim, int window = 0)
    {
        var d = new AttentionDims(batch, tokens, heads, kvHeads, headDim, window);
        d.Check(q.Length, k.Length, v.Length, output.Length, probs.Length);
        var p = new double[tokens]; // one probs row
        for (int bh = 0; bh < batch * heads; bh++)
        {
            int qOffset = d.QOffset(bh), kvOffset = d.KvOffset(bh);
            for (int i = 0; i < tokens; i++)
            {
                int first = d.FirstKey(i);
                double max = double.NegativeInfinity;
                for (int j = first; j <= i; j++)
                {
                    double dot = 0;
                    for (int c = 0; c < headDim; c++)
                    {
                        dot += (double)q[qOffset + i * d.QLd + c] * k[kvOffset + j * d.KvLd + c];
                    }
                    p[j] = dot / Math.Sqrt(headDim);
                    max = Math.Max(max, p[j]);
                }
                double sum = 0;
                for (int j = first; j <= i; j++)
                {
                    p[j] = Math.Exp(p[j] - max);
                    sum += p[j];
                }
                var probsRow = probs.Slice((bh * tokens + i) * tokens, tokens);
                probsRow.Clear();
                for (int j = first; j <= i; j++)
                {
                    p[j] /= sum;
                    probsRow[j] = (float)p[j];
                }
                for (int c = 0; c < headDim; c++)
                {
                    double acc = 0;
                    for (int j = first; j <= i; j++)
                    {
                        acc += p[j] * v[kvOffset + j * d.KvLd + c];
                    }
                    output[qOffset + i * d.QLd + c] = (float)acc;
                }
            }
        }
    }

    /// <summary>Overwrites dq [batch, tokens, heads, headDim], dk and dv [batch, tokens, kvHeads, headDim] from dOutput.</summary>
    public static void Backward(ReadOnlySpan<float> dOutput, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> probs,
        Span<float> dq, Span<float> dk, Span<float> dv, int batch, int tokens, int heads, int kvHeads, int headDim)
    {
        var d = new AttentionDims(batch, tokens, heads, kvHeads, headDim);
        d.Check(q.Length, k.Length, v.Length, dOutput.Length, probs.Length);
        OpsArgs.Holds(dq.Length, d.QCount, nameof(dq));
        OpsArgs.Holds(dk.Length, d.KvCount, nameof(dk));
        OpsArgs.Holds(dv.Length, d.KvCount, nameof(dv));
        var dqSum = new double[d.QCount];  // [batch, tokens, heads, headDim]
        var dkSum = new double[d.KvCount]; // [batch, tokens, kvHeads, headDim]
        var dvSum = new double[d.KvCount]; // [batch, tokens, kvHeads, headDim]
        var dScores = new double[tokens];  // one row
        double scale = 1 / Math.Sqrt(headDim);
        for (int bh = 0; bh < batch * heads; bh++)
        {
            int qOffset = d.QOffset(bh), kvOffset = d.KvOffset(bh);
            for (int i = 0; i < tokens; i++)
            {
                int qi = qOffset + i * d.QLd;
                var p = probs.Slice((bh * tokens + i) * tokens, i + 1);
                double rowDot = 0;
                for (int j = 0; j <= i; j++)
                {
                    double dp = 0;
                    for (int c = 0; c < headDim; c++)
                    {
                        dp += (double)dOutput[qi + c] * v[kvOffset + j * d.KvLd + c];
                    }
                    dScores[j] = dp;
                    rowDot += dp * p[j];
                }
                for (int j = 0; j <= i; j++)
                {
                    double ds = p[j] * (dScores[j] - rowDot) * scale;
                    int kj = kvOffset + j * d.KvLd;
                    for (int c = 0; c < headDim; c++)
                    {
                        dqSum[qi + c] += ds * k[kj + c];
                        dkSum[kj + c] += ds * q[qi + c];
                        dvSum[kj + c] += p[j] * dOutput[qi + c];
                    }
                }
            }
        }
        Store(dqSum, dq);
        Store(dkSum, dk);
        Store(dvSum, dv);
    }

    /// <summary>One query position against a cache. q, output: [heads, headDim]; kCache, vCache: [kvHeads, capacity, headDim]
    /// with the first `length` positions filled; scores: scratch [heads, capacity] (the first `length` of each row written).</summary>
    public static void Decode(ReadOnlySpan<float> q, ReadOnlySpan<float> kCache, ReadOnlySpan<float> vCache, Span<float> output, Span<float> scores,
        int length, int capacity, int heads, int kvHeads, int headDim, int window = 0)
    {
        CausalAttention.CheckDecode(q.Length, kCache.Length, vCache.Length, output.Length, scores.Length, length, capacity, heads, kvHeads, headDim);
        int first = window > 0 ? Math.Max(0, length - window) : 0; // scores of the window's positions go to scores[h, 0 ..)
        var p = new double[length];
        for (int h = 0; h < heads; h++)
        {
            int cacheOffset = h / (heads / kvHeads) * capacity * headDim;
            double max = double.NegativeInfinity;
            for (int j = first; j < length; j++)
            {
                double dot = 0;
                for (int c = 0; c < headDim; c++)
                {
                    dot += (double)q[h * headDim + c] * kCache[cacheOffset + j * headDim + c];
                }
                p[j] = dot / Math.Sqrt(headDim);
                max = Math.Max(max, p[j]);
            }
            double sum = 0;
            for (int j = first; j < length; j++)
            {
                p[j] = Math.Exp(p[j] - max);
                sum += p[j];
            }
            for (int j = first; j < length; j++)
            {
                p[j] /= sum;
                scores[h * capacity + j - first] = (float)p[j];
            }
            for (int c = 0; c < headDim; c++)
            {
                double acc = 0;
                for (int j = first; j < length; j++)
                {
                    acc += p[j] * vCache[cacheOffset + j * headDim + c];
                }
                output[h * headDim + c] = (float)acc;
            }
        }
    }

    private static void Store(double[] source, Span<float> target)
    {
        for (int i = 0; i < source.Length; i++)
        {
            target[i] = (float)source[i];
        }
    }
}
