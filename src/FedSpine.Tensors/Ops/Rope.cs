// Rotary position embedding in the Hugging Face convention: element i of a head pairs with element i + headDim/2
// ("rotate half"). llama2.c/Meta checkpoints pair (2i, 2i+1); their q/k rows are permuted on load. See RopeReference.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FedSpine.Tensors;

public static class Rope
{
    /// <summary>Rotates x in place. x: [batch, tokens, heads, headDim]; token t of every batch row sits at position
    /// startPosition + t. inverse = true applies the transposed rotation (the backward pass).</summary>
    public static void Apply(Span<float> x, int batch, int tokens, int heads, int headDim, int startPosition, RopeTable table, bool inverse = false)
    {
        CheckShapes(x.Length, batch, tokens, heads, headDim, startPosition, table);
        int rows = batch * tokens, cols = heads * headDim;
        if (OpsParallel.IsSmall(rows, cols))
        {
            ApplyRows(x, 0, rows, tokens, heads, headDim, startPosition, table, inverse);
        }
        else
        {
            ApplyParallel(x, rows, tokens, heads, headDim, startPosition, table, inverse);
        }
    }

    /// <summary>Shared with RopeReference: dims sane, x long enough, positions inside the table.</summary>
    internal static void CheckShapes(int xLength, int batch, int tokens, int heads, int headDim, int startPosition, RopeTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        OpsArgs.AtLeast(batch, 0, nameof(batch));
        OpsArgs.AtLeast(tokens, 0, nameof(tokens));
        OpsArgs.AtLeast(heads, 0, nameof(heads));
        OpsArgs.AtLeast(startPosition, 0, nameof(startPosition));
        if (headDim != table.HeadDim)
        {
            throw new ArgumentException($"headDim {headDim} differs from the table's {table.HeadDim}", nameof(headDim));
        }
        if ((long)startPosition + tokens > table.MaxPositions)
        {
            throw new ArgumentOutOfRangeException(nameof(tokens), $"positions up to {startPosition + tokens} exceed the table of {table.MaxPositions}");
        }
        OpsArgs.Holds(xLength, (long)batch * tokens * heads * headDim, "x");
    }

    private static unsafe void ApplyParallel(Span<float> x, int rows, int tokens, int heads, int headDim, int startPosition, RopeTable table, bool inverse)
    {
        int cols = heads * headDim;
        int rowsPerChunk = OpsParallel.RowsPerChunk(rows, cols);
        fixed (float* px = x)
        {
            float* cx = px; // fixed locals cannot be captured
            WorkerPool.For(OpsParallel.ChunkCount(rows, rowsPerChunk), c =>
            {
                int r0 = c * rowsPerChunk;
                ApplyRows(new Span<float>(cx, rows * cols), r0, Math.Min(rows, r0 + rowsPerChunk), tokens, heads, headDim, startPosition, table, inverse);
            });
        }
    }

    // x: [batch·tokens, heads, headDim]; rows [r0, r1) only; row r is token r % tokens.
    private static void ApplyRows(Span<float> x, int r0, int r1, int tokens, int heads, int headDim, int startPosition, RopeTable table, bool inverse)
    {
        float sign = inverse ? -1f : 1f;
        for (int r = r0; r < r1; r++)
        {
            int position = startPosition + r % tokens;
            var cos = table.Cos(position);
            var sin = table.Sin(position);
            for (int h = 0; h < heads; h++)
            {
                RotateHalf(x.Slice((r * heads + h) * headDim, headDim), cos, sin, sign);
            }
        }
    }

    // One head: (a, b) = (x[i], x[i+half]) → (a·cos − b·s, b·cos + a·s) with s = sign·sin.
    private static void RotateHalf(Span<float> head, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin, float sign)
    {
        int half = cos.Length, i = 0;
        ref float ra = ref MemoryMarshal.GetReference(head);
        ref float rb = ref Unsafe.Add(ref ra, half);
        ref float rc = ref MemoryMarshal.GetReference(cos);
        ref float rs = ref MemoryMarshal.GetReference(sin);
        if (IsaPath.Use512)
        {
            var vSign = Vector512.Create(sign);
            for (; i <= half - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var a = Vector512.LoadUnsafe(ref ra, (nuint)i);
                var b = Vector512.LoadUnsafe(ref rb, (nuint)i);
                var c = Vector512.LoadUnsafe(ref rc, (nuint)i);
                var s = vSign * Vector512.LoadUnsafe(ref rs, (nuint)i);
                (a * c - b * s).StoreUnsafe(ref ra, (nuint)i);
                (b * c + a * s).StoreUnsafe(ref rb, (nuint)i);
            }
        }
        if (IsaPath.Use256)
        {
            var vSign = Vector256.Create(sign);
            for (; i <= half - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var a = Vector256.LoadUnsafe(ref ra, (nuint)i);
                var b = Vector256.LoadUnsafe(ref rb, (nuint)i);
                var c = Vector256.LoadUnsafe(ref rc, (nuint)i);
                var s = vSign * Vector256.LoadUnsafe(ref rs, (nuint)i);
                (a * c - b * s).StoreUnsafe(ref ra, (nuint)i);
                (b * c + a * s).StoreUnsafe(ref rb, (nuint)i);
            }
        }
        else if (IsaPath.Use128)
        {
            var vSign = Vector128.Create(sign);
            for (; i <= half - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                var a = Vector128.LoadUnsafe(ref ra, (nuint)i);
                var b = Vector128.LoadUnsafe(ref rb, (nuint)i);
                var c = Vector128.LoadUnsafe(ref rc, (nuint)i);
                var s = vSign * Vector128.LoadUnsafe(ref rs, (nuint)i);
                (a * c - b * s).StoreUnsafe(ref ra, (nuint)i);
                (b * c + a * s).StoreUnsafe(ref rb, (nuint)i);
            }
        }
        for (; i < half; i++)
        {
            float a = head[i], b = head[i + half], s = sign * sin[i];
            head[i] = a * cos[i] - b * s;
            head[i + half] = b * cos[i] + a * s;
        }
    }
}
