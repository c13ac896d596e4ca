// exp(x − shift) for softmax-style rows with every term below e^−46 (≈1e−20 of the row's largest) flushed to exactly 0.
// Denormal floats make x86 arithmetic ~100x slower; the 1e−20 bias is far below float32 resolution of the row's sum.
using System.Numerics.Tensors;

namespace FedSpine.Tensors;

internal static class FlushedExp
{
    public const float MinExponent = -46f;

    // The exact value TensorPrimitives.Exp gives at the clamp, so clamped entries subtract to exactly zero.
    private static readonly float Floor = ComputeFloor();

    /// <summary>destination = max(exp(max(x − shift, −46)) − e^−46, 0); destination may alias x. Both [count].</summary>
    public static void Apply(ReadOnlySpan<float> x, float shift, Span<float> destination)
    {
        TensorPrimitives.Subtract(x, shift, destination);
        TensorPrimitives.Max(destination, MinExponent, destination);
        TensorPrimitives.Exp(destination, destination);
        TensorPrimitives.Subtract(destination, Floor, destination);
        TensorPrimitives.Max(destination, 0f, destination);
    }

    private static float ComputeFloor()
    {
        Span<float> one = [MinExponent];
        TensorPrimitives.Exp(one, one);
        return one[0];
    }
}
