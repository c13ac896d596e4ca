// Row-wise softmax, numerically stable (max subtracted). CONTRACT STUB.
namespace FedSpine.Tensors;

public static class Softmax
{
    /// <summary>In place over x: [rows, cols].</summary>
    public static void Forward(Span<float> x, int rows, int cols) => throw new NotImplementedException();

    /// <summary>dx = y ⊙ (dy − rowsum(dy ⊙ y)); y is the forward output; dx may alias dy. All [rows, cols].</summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, Span<float> dx, int rows, int cols)
        => throw new NotImplementedException();
}
