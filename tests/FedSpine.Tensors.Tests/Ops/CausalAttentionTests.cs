// CausalAttention: forward/backward against CausalAttentionReference (GQA groups 1, 2, 8; several query blocks;
// threaded sizes), the backward against finite differences, and Decode against the last rows of a full Forward; each
// also with a sliding window (Mistral: query i reads keys i − window < j ≤ i), including windows that cross query blocks.
using static FedSpine.Tensors.Tests.Ops.OpsTestUtil;

namespace FedSpine.Tensors.Tests.Ops;

public sealed class CausalAttentionTests
{
    [Theory]
    [InlineData(2, 1, 8, 8, 16)]
    [InlineData(2, 5, 8, 8, 16)]
    [InlineData(2, 33, 8, 8, 64)]
    [InlineData(2, 1, 8, 4, 16)]
    [InlineData(2, 5, 8, 4, 64)]
    [InlineData(2, 33, 8, 4, 16)]
    [InlineData(2, 1, 8, 1, 64)]
    [InlineData(2, 5, 8, 1, 16)]
    [InlineData(2, 33, 8, 1, 16)]
    [InlineData(1, 130, 4, 2, 12)] // three query blocks, threaded
    [InlineData(2, 70, 4, 4, 20)]  // two query blocks, heads == kvHeads, threaded
    [InlineData(2, 33, 8, 4, 16, 5)]   // sliding window
    [InlineData(1, 130, 4, 2, 12, 70)] // window crossing query blocks, threaded
    [InlineData(2, 70, 4, 4, 20, 1)]   // window of one: each query reads only itself
    public void FastMatchesReference(int batch, int tokens, int heads, int kvHeads, int headDim, int window = 0)
    {
        int qCount = batch * tokens * heads * headDim, kvCount = batch * tokens * kvHeads * headDim;
        float[] q = RandomArray(qCount, 81, 2f);       // [batch, tokens, heads, headDim]
        float[] k = RandomArray(kvCount, 82, 2f);      // [batch, tokens, kvHeads, headDim]
        float[] v = RandomArray(kvCount, 83);          // [batch, tokens, kvHeads, headDim]
        float[] dOut = RandomArray(qCount, 84);        // [batch, tokens, heads, headDim]
        int probsCount = batch * heads * tokens * tokens;

        var output = new float[qCount];
        var probs = RandomArray(probsCount, 85); // garbage in: Forward must overwrite every element
        var outputRef = new float[qCount];
        var probsRef = new float[probsCount];
        CausalAttention.Forward(q, k, v, output, probs, batch, tokens, heads, kvHeads, headDim, window);
        CausalAttentionReference.Forward(q, k, v, outputRef, probsRef, batch, tokens, heads, kvHeads, headDim, window);
        AssertClose(probsRef, probs, 1e-4, 1e-6, "probs");
        AssertClose(outputRef, output, 1e-4, 1e-5, "output");

        float[] dq = RandomArray(qCount, 86), dk = RandomArray(kvCount, 87), dv = RandomArray(kvCount, 88); // overwritten
        var dqRef = new float[qCount];
        var dkRef = new float[kvCount];
        var dvRef = new float[kvCount];
        CausalAttention.Backward(dOut, q, k, v, probs, dq, dk, dv, batch, tokens, heads, kvHeads, headDim);
        CausalAttentionReference.Backward(dOut, q, k, v, probsRef, dqRef, dkRef, dvRef, batch, tokens, heads, kvHeads, headDim);
        AssertClose(dqRef, dq, 1e-3, 1e-4, "dq");
        AssertClose(dkRef, dk, 1e-3, 1e-4, "dk");
        AssertClose(dvRef, dv, 1e-3, 1e-4, "dv");
    }

    [Theory]
    [InlineData(4, 4)]
    [InlineData(4, 2)]
    [InlineData(4, 1)]
    [InlineData(4, 2, 3)]
    public void BackwardMatchesFiniteDifferences(int heads, int kvHeads, int window = 0)
    {
        const int batch = 2, tokens = 5, headDim = 8;
        int qCount = batch * tokens * heads * headDim, kvCount = batch * tokens * kvHeads * headDim;
        float[] q = RandomArray(qCount, 91);
        float[] k = RandomArray(kvCount, 92);
        float[] v = RandomArray(kvCount, 93);
        float[] dOut = RandomArray(qCount, 94);
        var output = new float[qCount];
        var probs = new float[batch * heads * tokens * tokens];
        double Loss()
        {
            CausalAttentionReference.Forward(q, k, v, output, probs, batch, tokens, heads, kvHeads, headDim, window);
            return Dot(dOut, output);
        }

        CausalAttention.Forward(q, k, v, output, probs, batch, tokens, heads, kvHeads, headDim, window);
        var dq = new float[qCount];
        var dk = new float[kvCount];
        var dv = new float[kvCount];
        CausalAttention.Backward(dOut, q, k, v, probs, dq, dk, dv, batch, tokens, heads, kvHeads, headDim);
        AssertGradient(Loss, q, dq, 30, 95, 1e-2f, 2e-2, 2e-4, "dq");
        AssertGradient(Loss, k, dk, 30, 96, 1e-2f, 2e-2, 2e-4, "dk");
        AssertGradient(Loss, v, dv, 30, 97, 1e-2f, 2e-2, 2e-4, "dv");
    }

    [Theory]
    [InlineData(8, 8, 33, 16)]
    [InlineData(8, 4, 33, 64)]
    [InlineData(8, 1, 33, 16)]
    [InlineData(8, 4, 35, 8)] // small-head decode path, position tail
    [InlineData(8, 2, 600, 64)] // threaded decode
    [InlineData(8, 4, 33, 64, 7)]  // sliding window
    [InlineData(8, 4, 35, 8, 4)]   // small-head path with a window
    [InlineData(8, 2, 600, 64, 100)] // threaded decode with a window
    public void DecodeMatchesForwardRows(int heads, int kvHeads, int tokens, int headDim, int window = 0)
    {
        int capacity = tokens + 7;
        float[] q = RandomArray(tokens * heads * headDim, 101, 2f);   // [1, tokens, heads, headDim]
        float[] k = RandomArray(tokens * kvHeads * headDim, 102, 2f); // [1, tokens, kvHeads, headDim]
        float[] v = RandomArray(tokens * kvHeads * headDim, 103);     // [1, tokens, kvHeads, headDim]
        var output = new float[q.Length];
        var probs = new float[heads * tokens * tokens];
        CausalAttention.Forward(q, k, v, output, probs, 1, tokens, heads, kvHeads, headDim, window);

        var kCache = new float[kvHeads * capacity * headDim]; // [kvHeads, capacity, headDim]
        var vCache = new float[kvHeads * capacity * headDim];
        for (int t = 0; t < tokens; t++)
        {
            for (int kvh = 0; kvh < kvHeads; kvh++)
            {
                k.AsSpan((t * kvHeads + kvh) * headDim, headDim).CopyTo(kCache.AsSpan((kvh * capacity + t) * headDim));
                v.AsSpan((t * kvHeads + kvh) * headDim, headDim).CopyTo(vCache.AsSpan((kvh * capacity + t) * headDim));
            }
        }
        var decoded = new float[heads * headDim];
        var scores = new float[heads * capacity]; // [heads, capacity]
        var decodedRef = new float[heads * headDim];
        var scoresRef = new float[heads * capacity];
        foreach (int length in tokens > 100 ? new[] { 1, tokens } : Enumerable.Range(1, tokens))
        {
            var qt = q.AsSpan((length - 1) * heads * headDim, heads * headDim);
            CausalAttention.Decode(qt, kCache, vCache, decoded, scores, length, capacity, heads, kvHeads, headDim, window);
            CausalAttentionReference.Decode(qt, kCache, vCache, decodedRef, scoresRef, length, capacity, heads, kvHeads, headDim, window);
            int read = window > 0 ? Math.Min(length, window) : length; // scores hold the read positions only
            AssertClose(output.AsSpan((length - 1) * heads * headDim, heads * headDim), decoded, 1e-4, 1e-5, $"decode output at length {length}");
            AssertClose(decodedRef, decoded, 1e-4, 1e-5, $"decode vs reference at length {length}");
            for (int h = 0; h < heads; h++)
            {
                AssertClose(probs.AsSpan((h * tokens + length - 1) * tokens + length - read, read), scores.AsSpan(h * capacity, read), 1e-4, 1e-6,
                    $"decode scores of head {h} at length {length}");
            }
        }
    }

    [Fact]
    public void InvalidShapesThrow()
    {
        Assert.Throws<ArgumentException>(() => CausalAttention.Forward(new float[24], new float[8], new float[8], new float[24], new float[3], 1, 1, 3, 2, 8));
        Assert.Throws<ArgumentException>(() => CausalAttention.Forward(new float[16], new float[16], new float[16], new float[16], new float[3], 1, 2, 1, 1, 8));
        Assert.Throws<ArgumentOutOfRangeException>(() => CausalAttention.Decode(new float[8], new float[32], new float[32], new float[8], new float[4], 5, 4, 1, 1, 8));
    }
}
