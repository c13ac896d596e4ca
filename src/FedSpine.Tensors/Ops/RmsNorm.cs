// RMSNorm forward and backward over rows: y = x · rstd · weight, rstd = 1/sqrt(mean(x²) + eps).
// CONTRACT STUB: fast kernel + reference to be filled in.
namespace FedSpine.Tensors;

public static class RmsNorm
{
    /// <summary>x, y: [rows, cols]; weight: [cols]; rstd: [rows] (written, kept for backward).</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, Span<float> rstd, int rows, int cols, float eps)
        => throw new NotImplementedException();

    /// <summary>Adds the input gradient into dx [rows, cols]; adds the weight gradient into dWeight [cols]
    /// unless dWeight is empty (frozen weight). dy, x: [rows, cols]; rstd: [rows] from Forward.</summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> rstd,
        Span<float> dx, Span<float> dWeight, int rows, int cols)
        => throw new NotImplementedException();
}
