// Rotary position embedding in the Hugging Face convention: element i of a head pairs with element i + headDim/2
// ("rotate half"). llama2.c/Meta checkpoints pair (2i, 2i+1); their q/k rows are permuted on load. CONTRACT STUB.
namespace FedSpine.Tensors;

public static class Rope
{
    /// <summary>Rotates x in place. x: [batch, tokens, heads, headDim]; token t of every batch row sits at position
    /// startPosition + t. inverse = true applies the transposed rotation (the backward pass).</summary>
    public static void Apply(Span<float> x, int batch, int tokens, int heads, int headDim, int startPosition, RopeTable table, bool inverse = false)
        => throw new NotImplementedException();
}
