// Row-wise softmax, numerically stable (max subtracted), and its backward.
// Fast kernel (TensorPrimitives per row, large calls spread over the pool); see SoftmaxReference.
using System.Numerics.Tensors;

namespace FedSpine.Tensors;

public static class Softmax
{
    /// <summary>In place over x: [rows, cols].</summary>
    public static void Forward(Span<float> x, int rows, int cols)
    {
        CheckShapes(x.Length, x.Length, x.Length, rows, cols);
        if (OpsParallel.IsSmall(rows, cols))
        {
            ForwardRows(x, 0, rows, cols);
        }
        else
        {
            ForwardParallel(x, rows, cols);
        }
    }

    /// <summary>dx = y ⊙ (dy − rowsum(dy ⊙ y)); y is the forward output; dx may alias dy. All [rows, cols].</summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, Span<float> dx, int rows, int cols)
    {
        CheckShapes(dy.Length, y.Length, dx.Length, rows, cols);
        if (OpsParallel.IsSmall(rows, cols))
        {
            BackwardRows(dy, y, dx, 0, rows, cols);
        }
        else
        {
            BackwardParallel(dy, y, dx, rows, cols);
        }
    }

    /// <summary>In place over one row: exp(x − max(x)) / Σ exp(x − max(x)), terms below 1e−20 of the max flushed to 0
    /// (FlushedExp). Used by the attention kernels too.</summary>
    internal static void Row(Span<float> row)
    {
        FlushedExp.Apply(row, TensorPrimitives.Max(row), row);
        TensorPrimitives.Divide(row, TensorPrimitives.Sum(row), row);
    }

    /// <summary>Shared with SoftmaxReference: dims sane, buffers long enough.</summary>
    internal static void CheckShapes(int aLength, int bLength, int cLength, int rows, int cols)
    {
        OpsArgs.AtLeast(rows, 0, nameof(rows));
        OpsArgs.AtLeast(cols, 1, nameof(cols));
        long n = (long)rows * cols;
        OpsArgs.Holds(aLength, n, "x/dy");
        OpsArgs.Holds(bLength, n, "y");
        OpsArgs.Holds(cLength, n, "dx");
    }

    private static unsafe void ForwardParallel(Span<float> x, int rows, int cols)
    {
        int rowsPerChunk = OpsParallel.RowsPerChunk(rows, cols);
        fixed (float* px = x)
        {
            float* cx = px; // fixed locals cannot be captured
            WorkerPool.For(OpsParallel.ChunkCount(rows, rowsPerChunk), c =>
            {
                int r0 = c * rowsPerChunk;
                ForwardRows(new Span<float>(cx, rows * cols), r0, Math.Min(rows, r0 + rowsPerChunk), cols);
            });
        }
    }

    // x: [rows, cols]; rows [r0, r1) only.
    private static void ForwardRows(Span<float> x, int r0, int r1, int cols)
    {
        for (int r = r0; r < r1; r++)
        {
            Row(x.Slice(r * cols, cols));
        }
    }

    private static unsafe void BackwardParallel(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, Span<float> dx, int rows, int cols)
    {
        int rowsPerChunk = OpsParallel.RowsPerChunk(rows, cols);
        int n = rows * cols;
        fixed (float* pdy = dy, py = y, pdx = dx)
        {
            float* cdy = pdy, cy = py, cdx = pdx; // fixed locals cannot be captured
            WorkerPool.For(OpsParallel.ChunkCount(rows, rowsPerChunk), c =>
            {
                int r0 = c * rowsPerChunk;
                BackwardRows(new ReadOnlySpan<float>(cdy, n), new ReadOnlySpan<float>(cy, n), new Span<float>(cdx, n),
                    r0, Math.Min(rows, r0 + rowsPerChunk), cols);
            });
        }
    }

    // dy, y, dx: [rows, cols]; rows [r0, r1) only. The dot is taken before dx is written, so dx may alias dy.
    private static void BackwardRows(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, Span<float> dx, int r0, int r1, int cols)
    {
        for (int r = r0; r < r1; r++)
        {
            var dyr = dy.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            var dxr = dx.Slice(r * cols, cols);
            TensorPrimitives.Subtract(dyr, TensorPrimitives.Dot(dyr, yr), dxr);
            TensorPrimitives.Multiply(dxr, yr, dxr);
        }
    }
}
