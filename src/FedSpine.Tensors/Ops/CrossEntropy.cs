// Softmax cross-entropy over vocabulary rows, mean over counted rows; target −1 means "ignore this row". CONTRACT STUB.
namespace FedSpine.Tensors;

public static class CrossEntropy
{
    public const int IgnoreIndex = -1;

    /// <summary>Mean loss. logits: [rows, vocab]; targets: [rows].</summary>
    public static float Forward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int rows, int vocab)
        => throw new NotImplementedException();

    /// <summary>Mean loss, and dLogits [rows, vocab] = (softmax − onehot)/countedRows (zero rows for ignored targets).
    /// dLogits may alias logits (in-place backward saves a [rows, vocab] buffer).</summary>
    public static float ForwardBackward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> dLogits, int rows, int vocab)
        => throw new NotImplementedException();
}
