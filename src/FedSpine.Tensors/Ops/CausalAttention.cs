// Causal scaled-dot-product attention with grouped-query heads (query head h reads kv head h / (heads/kvHeads)).
// Training forward/backward keep the probabilities; Decode attends one new query against a KV cache. CONTRACT STUB.
namespace FedSpine.Tensors;

public static class CausalAttention
{
    /// <summary>q, output: [batch, tokens, heads, headDim]; k, v: [batch, tokens, kvHeads, headDim];
    /// probs: [batch, heads, tokens, tokens] (written: softmax(q·kᵀ/√headDim) with the causal mask, kept for backward).</summary>
    public static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output, Span<float> probs,
        int batch, int tokens, int heads, int kvHeads, int headDim)
        => throw new NotImplementedException();

    /// <summary>Overwrites dq [batch, tokens, heads, headDim], dk and dv [batch, tokens, kvHeads, headDim] from dOutput.</summary>
    public static void Backward(ReadOnlySpan<float> dOutput, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> probs,
        Span<float> dq, Span<float> dk, Span<float> dv, int batch, int tokens, int heads, int kvHeads, int headDim)
        => throw new NotImplementedException();

    /// <summary>One query position against a cache. q, output: [heads, headDim]; kCache, vCache: [kvHeads, capacity, headDim]
    /// with the first `length` positions filled; scores: scratch [heads, capacity].</summary>
    public static void Decode(ReadOnlySpan<float> q, ReadOnlySpan<float> kCache, ReadOnlySpan<float> vCache, Span<float> output, Span<float> scores,
        int length, int capacity, int heads, int kvHeads, int headDim)
        => throw new NotImplementedException();
}
