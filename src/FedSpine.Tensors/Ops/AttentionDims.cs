// Sizes of one causal-attention call and the strides derived from them: q/output rows hold heads·headDim floats,
// k/v rows kvHeads·headDim, and query head h reads kv head h / (heads/kvHeads).
namespace FedSpine.Tensors;

internal readonly record struct AttentionDims(int Batch, int Tokens, int Heads, int KvHeads, int HeadDim, int Window = 0)
{
    /// <summary>First key query i may read: i − window + 1 with a sliding window (Window > 0), else 0.</summary>
    public int FirstKey(int i) => Window > 0 ? Math.Max(0, i - Window + 1) : 0;

    /// <summary>Query heads per kv head.</summary>
    public int Group => Heads / KvHeads;

    /// <summary>Row stride of q, output, dq: heads·headDim.</summary>
    public int QLd => Heads * HeadDim;

    /// <summary>Row stride of k, v, dk, dv: kvHeads·headDim.</summary>
    public int KvLd => KvHeads * HeadDim;

    /// <summary>1/√headDim.</summary>
    public float Scale { get; } = 1f / MathF.Sqrt(HeadDim);

    public long QCount => (long)Batch * Tokens * QLd;
    public long KvCount => (long)Batch * Tokens * KvLd;
    public long ProbsCount => (long)Batch * Heads * Tokens * Tokens;

    /// <summary>Multiply-adds of one q·kᵀ product over all heads: the size measure that decides on threading.</summary>
    public long Work => (long)Batch * Heads * Tokens * Tokens * HeadDim;

    /// <summary>Start of head h of batch row b in q/output (bh = b·heads + h).</summary>
    public int QOffset(int bh) => bh / Heads * Tokens * QLd + bh % Heads * HeadDim;

    /// <summary>Start of the kv head read by query head h of batch row b in k/v (bh = b·heads + h).</summary>
    public int KvOffset(int bh) => bh / Heads * Tokens * KvLd + bh % Heads / Group * HeadDim;

    /// <summary>Throws unless the sizes are sane and every buffer holds its shape.</summary>
    public void Check(int qLength, int kLength, int vLength, int outputLength, int probsLength)
    {
        OpsArgs.AtLeast(Batch, 0, "batch");
        OpsArgs.AtLeast(Tokens, 0, "tokens");
        CheckHeads(Heads, KvHeads, HeadDim);
        OpsArgs.Holds(qLength, QCount, "q");
        OpsArgs.Holds(kLength, KvCount, "k");
        OpsArgs.Holds(vLength, KvCount, "v");
        OpsArgs.Holds(outputLength, QCount, "output/dOutput");
        OpsArgs.Holds(probsLength, ProbsCount, "probs");
    }

    /// <summary>Throws unless heads, kvHeads, headDim are positive and kvHeads divides heads.</summary>
    public static void CheckHeads(int heads, int kvHeads, int headDim)
    {
        OpsArgs.AtLeast(heads, 1, "heads");
        OpsArgs.AtLeast(kvHeads, 1, "kvHeads");
        OpsArgs.AtLeast(headDim, 1, "headDim");
        if (heads % kvHeads != 0)
        {
            throw new ArgumentException($"heads = {heads} is not a multiple of kvHeads = {kvHeads}", nameof(kvHeads));
        }
    }
}
