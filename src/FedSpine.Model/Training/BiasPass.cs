// Forward and backward of a bias added to every row of a linear output (qwen2's q/k/v projections): y[r] += b and
// dB += Σ_r dy[r]. A null bias is a no-op, so callers treat biased and unbiased models alike.
using FedSpine.Tensors;

namespace FedSpine.Model.Training;

internal static class BiasPass
{
    /// <summary>y [rows, out] += bias [out] on every row.</summary>
    public static void Forward(Tensor? bias, Span<float> y, int rows)
    {
        if (bias is null)
        {
            return;
        }
        var b = bias.Span;
        for (int r = 0; r < rows; r++)
        {
            var row = y.Slice(r * b.Length, b.Length);
            System.Numerics.Tensors.TensorPrimitives.Add(row, b, row);
        }
    }

    /// <summary>dBias [out] += the column sums of dy [rows, out]; nothing when either is null (no bias, or frozen).</summary>
    public static void Backward(ReadOnlySpan<float> dy, Tensor? dBias, int rows)
    {
        if (dBias is null)
        {
            return;
        }
        var db = dBias.Span;
        for (int r = 0; r < rows; r++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(db, dy.Slice(r * db.Length, db.Length), db);
        }
    }
}
