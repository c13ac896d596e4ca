// RMSNorm forward and backward over rows: y = x · rstd · weight, rstd = 1/sqrt(mean(x²) + eps).
// Fast kernel (TensorPrimitives and Vector512/256/128 per row, large calls spread over the pool); see RmsNormReference.
using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FedSpine.Tensors;

public static class RmsNorm
{
    /// <summary>x, y: [rows, cols]; weight: [cols]; rstd: [rows] (written, kept for backward).</summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, Span<float> rstd, int rows, int cols, float eps)
    {
        CheckShapes(x.Length, weight.Length, y.Length, rstd.Length, rows, cols);
        if (OpsParallel.IsSmall(rows, cols))
        {
            ForwardRows(x, weight, y, rstd, 0, rows, cols, eps);
        }
        else
        {
            ForwardParallel(x, weight, y, rstd, rows, cols, eps);
        }
    }

    /// <summary>Adds the input gradient into dx [rows, cols]; adds the weight gradient into dWeight [cols]
    /// unless dWeight is empty (frozen weight). dy, x: [rows, cols]; rstd: [rows] from Forward.</summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> rstd,
        Span<float> dx, Span<float> dWeight, int rows, int cols)
    {
        CheckShapes(x.Length, weight.Length, dx.Length, rstd.Length, rows, cols);
        OpsArgs.Holds(dy.Length, (long)rows * cols, nameof(dy));
        if (!dWeight.IsEmpty)
        {
            OpsArgs.Holds(dWeight.Length, cols, nameof(dWeight));
        }
        if (OpsParallel.IsSmall(rows, cols))
        {
            BackwardRows(dy, x, weight, rstd, dx, dWeight, 0, rows, cols);
        }
        else
        {
            BackwardParallel(dy, x, weight, rstd, dx, dWeight, rows, cols);
        }
    }

    /// <summary>Shared with RmsNormReference: dims sane, buffers long enough.</summary>
    internal static void CheckShapes(int xLength, int weightLength, int yLength, int rstdLength, int rows, int cols)
    {
        OpsArgs.AtLeast(rows, 0, nameof(rows));
        OpsArgs.AtLeast(cols, 1, nameof(cols));
        OpsArgs.Holds(xLength, (long)rows * cols, "x");
        OpsArgs.Holds(weightLength, cols, "weight");
        OpsArgs.Holds(yLength, (long)rows * cols, "y/dx");
        OpsArgs.Holds(rstdLength, rows, "rstd");
    }

    private static unsafe void ForwardParallel(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, Span<float> rstd,
        int rows, int cols, float eps)
    {
        int rowsPerChunk = OpsParallel.RowsPerChunk(rows, cols);
        int n = rows * cols;
        fixed (float* px = x, pw = weight, py = y, pr = rstd)
        {
            float* cx = px, cw = pw, cy = py, cr = pr; // fixed locals cannot be captured
            WorkerPool.For(OpsParallel.ChunkCount(rows, rowsPerChunk), c =>
            {
                int r0 = c * rowsPerChunk;
                ForwardRows(new ReadOnlySpan<float>(cx, n), new ReadOnlySpan<float>(cw, cols), new Span<float>(cy, n), new Span<float>(cr, rows),
                    r0, Math.Min(rows, r0 + rowsPerChunk), cols, eps);
            });
        }
    }

    // x, y: [rows, cols]; weight: [cols]; rstd: [rows]; rows [r0, r1) only.
    private static void ForwardRows(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, Span<float> rstd,
        int r0, int r1, int cols, float eps)
    {
        var w = weight[..cols];
        for (int r = r0; r < r1; r++)
        {
            var xr = x.Slice(r * cols, cols);
            var yr = y.Slice(r * cols, cols);
            float inv = 1f / MathF.Sqrt(TensorPrimitives.SumOfSquares(xr) / cols + eps);
            rstd[r] = inv;
            TensorPrimitives.Multiply(xr, inv, yr);
            TensorPrimitives.Multiply(yr, w, yr);
        }
    }

    // The weight gradient is summed per chunk into a [chunks, cols] scratch, then into dWeight in chunk order.
    private static unsafe void BackwardParallel(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> weight,
        ReadOnlySpan<float> rstd, Span<float> dx, Span<float> dWeight, int rows, int cols)
    {
        int rowsPerChunk = OpsParallel.RowsPerChunk(rows, cols);
        int chunks = OpsParallel.ChunkCount(rows, rowsPerChunk);
        int n = rows * cols;
        bool weightGrad = !dWeight.IsEmpty;
        float[]? partial = weightGrad ? ArrayPool<float>.Shared.Rent(chunks * cols) : null; // [chunks, cols]
        try
        {
            partial.AsSpan(0, weightGrad ? chunks * cols : 0).Clear();
            fixed (float* pdy = dy, px = x, pw = weight, pr = rstd, pdx = dx)
            {
                float* cdy = pdy, cx = px, cw = pw, cr = pr, cdx = pdx; // fixed locals cannot be captured
                WorkerPool.For(chunks, c =>
                {
                    int r0 = c * rowsPerChunk;
                    Span<float> dWeightChunk = weightGrad ? partial.AsSpan(c * cols, cols) : Span<float>.Empty;
                    BackwardRows(new ReadOnlySpan<float>(cdy, n), new ReadOnlySpan<float>(cx, n), new ReadOnlySpan<float>(cw, cols),
                        new ReadOnlySpan<float>(cr, rows), new Span<float>(cdx, n), dWeightChunk, r0, Math.Min(rows, r0 + rowsPerChunk), cols);
                });
            }
            if (weightGrad)
            {
                var dw = dWeight[..cols];
                for (int c = 0; c < chunks; c++)
                {
                    TensorPrimitives.Add(dw, partial.AsSpan(c * cols, cols), dw);
                }
            }
        }
        finally
        {
            if (partial is not null)
            {
                ArrayPool<float>.Shared.Return(partial);
            }
        }
    }

    // dy, x, dx: [rows, cols]; weight, dWeight: [cols] (dWeight may be empty); rows [r0, r1) only.
    // dx += rstd·w·dy − x·rstd³·Σ(dy·w·x)/cols;  dWeight += rstd·dy·x.
    private static void BackwardRows(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> rstd,
        Span<float> dx, Span<float> dWeight, int r0, int r1, int cols)
    {
        var w = weight[..cols];
        for (int r = r0; r < r1; r++)
        {
            var dyr = dy.Slice(r * cols, cols);
            var xr = x.Slice(r * cols, cols);
            var dxr = dx.Slice(r * cols, cols);
            float inv = rstd[r];
            float coef = inv * inv * inv * TripleDot(dyr, w, xr) / cols;
            AddInputGradient(dyr, xr, w, inv, coef, dxr);
            if (!dWeight.IsEmpty)
            {
                AddScaledProduct(dyr, xr, inv, dWeight[..cols]);
            }
        }
    }

    // Σ a·b·c over equal-length rows.
    private static float TripleDot(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c)
    {
        int n = a.Length, i = 0;
        float sum = 0;
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float rc = ref MemoryMarshal.GetReference(c);
        if (IsaPath.Use512 && n >= Vector512<float>.Count)
        {
            var acc = Vector512<float>.Zero;
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                acc += Vector512.LoadUnsafe(ref ra, (nuint)i) * Vector512.LoadUnsafe(ref rb, (nuint)i) * Vector512.LoadUnsafe(ref rc, (nuint)i);
            }
            sum = Vector512.Sum(acc);
        }
        if (IsaPath.Use256 && n - i >= Vector256<float>.Count)
        {
            var acc = Vector256<float>.Zero;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                acc += Vector256.LoadUnsafe(ref ra, (nuint)i) * Vector256.LoadUnsafe(ref rb, (nuint)i) * Vector256.LoadUnsafe(ref rc, (nuint)i);
            }
            sum += Vector256.Sum(acc);
        }
        else if (IsaPath.Use128 && !IsaPath.Use256 && n >= Vector128<float>.Count)
        {
            var acc = Vector128<float>.Zero;
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                acc += Vector128.LoadUnsafe(ref ra, (nuint)i) * Vector128.LoadUnsafe(ref rb, (nuint)i) * Vector128.LoadUnsafe(ref rc, (nuint)i);
            }
            sum = Vector128.Sum(acc);
        }
        for (; i < n; i++)
        {
            sum += a[i] * b[i] * c[i];
        }
        return sum;
    }

    // dx += inv·w·dy − coef·x over one row.
    private static void AddInputGradient(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, ReadOnlySpan<float> w, float inv, float coef, Span<float> dx)
    {
        int n = dx.Length, i = 0;
        ref float rdy = ref MemoryMarshal.GetReference(dy);
        ref float rx = ref MemoryMarshal.GetReference(x);
        ref float rw = ref MemoryMarshal.GetReference(w);
        ref float rdx = ref MemoryMarshal.GetReference(dx);
        if (IsaPath.Use512)
        {
            var vInv = Vector512.Create(inv);
            var vCoef = Vector512.Create(coef);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var g = vInv * Vector512.LoadUnsafe(ref rw, (nuint)i) * Vector512.LoadUnsafe(ref rdy, (nuint)i)
                    - vCoef * Vector512.LoadUnsafe(ref rx, (nuint)i);
                (Vector512.LoadUnsafe(ref rdx, (nuint)i) + g).StoreUnsafe(ref rdx, (nuint)i);
            }
        }
        if (IsaPath.Use256)
        {
            var vInv = Vector256.Create(inv);
            var vCoef = Vector256.Create(coef);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var g = vInv * Vector256.LoadUnsafe(ref rw, (nuint)i) * Vector256.LoadUnsafe(ref rdy, (nuint)i)
                    - vCoef * Vector256.LoadUnsafe(ref rx, (nuint)i);
                (Vector256.LoadUnsafe(ref rdx, (nuint)i) + g).StoreUnsafe(ref rdx, (nuint)i);
            }
        }
        else if (IsaPath.Use128)
        {
            var vInv = Vector128.Create(inv);
            var vCoef = Vector128.Create(coef);
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                var g = vInv * Vector128.LoadUnsafe(ref rw, (nuint)i) * Vector128.LoadUnsafe(ref rdy, (nuint)i)
                    - vCoef * Vector128.LoadUnsafe(ref rx, (nuint)i);
                (Vector128.LoadUnsafe(ref rdx, (nuint)i) + g).StoreUnsafe(ref rdx, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            dx[i] += inv * w[i] * dy[i] - coef * x[i];
        }
    }

    // acc += scale·a·b over one row.
    private static void AddScaledProduct(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float scale, Span<float> acc)
    {
        int n = acc.Length, i = 0;
        ref float ra = ref MemoryMarshal.GetReference(a);
        ref float rb = ref MemoryMarshal.GetReference(b);
        ref float racc = ref MemoryMarshal.GetReference(acc);
        if (IsaPath.Use512)
        {
            var vScale = Vector512.Create(scale);
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var g = vScale * Vector512.LoadUnsafe(ref ra, (nuint)i) * Vector512.LoadUnsafe(ref rb, (nuint)i);
                (Vector512.LoadUnsafe(ref racc, (nuint)i) + g).StoreUnsafe(ref racc, (nuint)i);
            }
        }
        if (IsaPath.Use256)
        {
            var vScale = Vector256.Create(scale);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var g = vScale * Vector256.LoadUnsafe(ref ra, (nuint)i) * Vector256.LoadUnsafe(ref rb, (nuint)i);
                (Vector256.LoadUnsafe(ref racc, (nuint)i) + g).StoreUnsafe(ref racc, (nuint)i);
            }
        }
        else if (IsaPath.Use128)
        {
            var vScale = Vector128.Create(scale);
            for (; i <= n - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                var g = vScale * Vector128.LoadUnsafe(ref ra, (nuint)i) * Vector128.LoadUnsafe(ref rb, (nuint)i);
                (Vector128.LoadUnsafe(ref racc, (nuint)i) + g).StoreUnsafe(ref racc, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            acc[i] += scale * a[i] * b[i];
        }
    }
}
