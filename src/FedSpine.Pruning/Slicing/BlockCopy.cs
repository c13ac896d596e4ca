// Gathers whole row blocks or column blocks of a row-major matrix into a smaller one: the physical removal of heads
// (blocks of head_dim rows/columns) and channels (blocks of one). Plain span copies; no arithmetic.
using FedSpine.Tensors;

namespace FedSpine.Pruning;

internal static class BlockCopy
{
    /// <summary>dst [positions·block, cols] = the blocks of <paramref name="block"/> rows of src [n·block, cols] at positions.</summary>
    public static void Rows(Tensor src, int[] positions, int block, Tensor dst)
    {
        int cols = src.Dim(1), blockLength = block * cols;
        Check(dst.Dim(0) == positions.Length * block && dst.Dim(1) == cols, src, dst);
        var s = src.Span;
        var d = dst.Span;
        for (int i = 0; i < positions.Length; i++)
        {
            s.Slice(positions[i] * blockLength, blockLength).CopyTo(d.Slice(i * blockLength, blockLength));
        }
    }

    /// <summary>dst [positions·block] = the blocks of <paramref name="block"/> elements of a vector src [n·block] at positions
    /// (a projection's bias follows its weight's rows).</summary>
    public static void Elements(Tensor src, int[] positions, int block, Tensor dst)
    {
        Check(dst.Length == positions.Length * block, src, dst);
        var s = src.Span;
        var d = dst.Span;
        for (int i = 0; i < positions.Length; i++)
        {
            s.Slice(positions[i] * block, block).CopyTo(d.Slice(i * block, block));
        }
    }

    /// <summary>dst [rows, positions·block] = the blocks of <paramref name="block"/> columns of src [rows, n·block] at positions.</summary>
    public static void Columns(Tensor src, int[] positions, int block, Tensor dst)
    {
        int rows = src.Dim(0), srcCols = src.Dim(1), dstCols = positions.Length * block;
        Check(dst.Dim(0) == rows && dst.Dim(1) == dstCols, src, dst);
        var s = src.Span;
        var d = dst.Span;
        for (int r = 0; r < rows; r++)
        {
            var srcRow = s.Slice(r * srcCols, srcCols);
            var dstRow = d.Slice(r * dstCols, dstCols);
            for (int i = 0; i < positions.Length; i++)
            {
                srcRow.Slice(positions[i] * block, block).CopyTo(dstRow.Slice(i * block, block));
            }
        }
    }

    private static void Check(bool ok, Tensor src, Tensor dst)
    {
        if (!ok)
        {
            throw new ArgumentException($"cannot slice {src} into {dst}");
        }
    }
}
