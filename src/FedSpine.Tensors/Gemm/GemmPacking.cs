// Copies a block of op(A) or op(B) into the micro-kernel's panel layout, zero-padding the last sliver to full width.
// Panels: A [rows, kc] as slivers of mr rows, each [kc, mr]; B [kc, cols] as slivers of nr columns, each [kc, nr].
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FedSpine.Tensors;

internal static unsafe class GemmPacking
{
    /// <summary>Packs op(A)[0..rows, 0..kc) starting at <paramref name="a"/> (op(A)[0,0]) into slivers
    /// <paramref name="firstSliver"/>..+sliverCount of dst, each sliver s at dst + s·mr·kc.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(Isa isa, float* a, nint lda, bool transA, int rows, int kc, int mr, int firstSliver, int sliverCount,
        float* dst)
    {
        if (transA)
        {
            // A is stored [k, m]: a reduction step is a contiguous row segment, read once for all slivers.
            CopyRowSegments(isa, a, lda, rows, kc, mr, firstSliver, sliverCount, dst);
            return;
        }
        for (int s = firstSliver; s < firstSliver + sliverCount; s++)
        {
            int r0 = s * mr;
            int height = Math.Min(mr, rows - r0);
            TransposeRows(isa, a + r0 * lda, lda, height, mr, kc, dst + (nint)s * mr * kc);
        }
    }

    /// <summary>Packs op(B)[0..kc, 0..cols) starting at <paramref name="b"/> (op(B)[0,0]) into slivers
    /// <paramref name="firstSliver"/>..+sliverCount of dst, each sliver t at dst + t·nr·kc.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(Isa isa, float* b, nint ldb, bool transB, int kc, int cols, int nr, int firstSliver, int sliverCount,
        float* dst)
    {
        if (!transB)
        {
            CopyRowSegments(isa, b, ldb, cols, kc, nr, firstSliver, sliverCount, dst);
            return;
        }
        // B is stored [n, k]: column j of op(B) is a contiguous row of B.
        for (int t = firstSliver; t < firstSliver + sliverCount; t++)
        {
            int j0 = t * nr;
            int width = Math.Min(nr, cols - j0);
            TransposeRows(isa, b + j0 * ldb, ldb, width, nr, kc, dst + (nint)t * nr * kc);
        }
    }

    /// <summary>One sliver d [kc, w] from `count` source rows of kc contiguous floats: d[p·w + r] = src[r·ld + p] for
    /// r &lt; count, zero above; in-register transposes on the avx512 and avx2 paths.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TransposeRows(Isa isa, float* src, nint ld, int count, int w, int kc, float* d)
    {
        if (GemmTransposePack.Supports(isa, w))
        {
            GemmTransposePack.PackRows(src, ld, count, w, kc, d);
            return;
        }
        if (GemmTransposePack256.Supports(isa, w))
        {
            GemmTransposePack256.PackRows(src, ld, count, w, kc, d);
            return;
        }
        TransposeSteps(src, ld, count, w, 0, kc, d);
    }

    /// <summary>Stores `lanes` floats of one transposed step v at d (the vector packs' rule). With fewer lanes than the
    /// vector holds, a full store spills into the next step, which a later store overwrites; the sliver's last step
    /// (<paramref name="last"/>) goes through <paramref name="spill"/> [Width] and stores exactly.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void PutStep<TL, TV>(TV v, float* d, int lanes, bool last, float* spill)
        where TL : ILanes<TV>
        where TV : struct
    {
        if (lanes == TL.Width || !last)
        {
            TL.Store(d, v);
            return;
        }
        TL.Store(spill, v);
        for (int i = 0; i < lanes; i++)
        {
            d[i] = spill[i];
        }
    }

    /// <summary>Steps [p0, p1) of TransposeRows one float at a time (the scalar path, and the vector packs' tails).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void TransposeSteps(float* src, nint ld, int count, int w, int p0, int p1, float* d)
    {
        for (int p = p0; p < p1; p++)
        {
            float* step = d + p * w;
            for (int r = 0; r < w; r++)
            {
                step[r] = r < count ? src[r * ld + p] : 0f;
            }
        }
    }

    /// <summary>The non-transposing case: step p of sliver s is src[p·ld + s·w .. + w) (clipped to length, then
    /// zero-padded), written to dst + s·w·kc + p·w.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CopyRowSegments(Isa isa, float* src, nint ld, int length, int kc, int w, int firstSliver, int sliverCount,
        float* dst)
    {
        for (int p = 0; p < kc; p++)
        {
            float* row = src + p * ld;
            for (int s = firstSliver; s < firstSliver + sliverCount; s++)
            {
                int x0 = s * w;
                CopyPadded(isa, row + x0, dst + (nint)s * w * kc + p * w, Math.Min(w, length - x0), w);
            }
        }
    }

    /// <summary>dst[0..count) = src[0..count), dst[count..width) = 0; reads and writes nothing else.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPadded(Isa isa, float* src, float* dst, int count, int width)
    {
        if (isa == Isa.Avx512 && Vector512.IsHardwareAccelerated)
        {
            for (int g = 0; g < width; g += 16)
            {
                int valid = count - g;
                int room = width - g;
                Vector512<float> v = valid >= 16 ? Vector512.Load(src + g) : Avx512F.MaskLoad(src + g, Lanes(valid), Vector512<float>.Zero);
                if (room >= 16)
                {
                    v.Store(dst + g);
                }
                else
                {
                    Avx512F.MaskStore(dst + g, Lanes(room), v);
                }
            }
            return;
        }
        int i = 0;
        if (isa == Isa.Avx2 && Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= count && i + 8 <= width; i += 8)
            {
                Vector256.Load(src + i).Store(dst + i);
            }
        }
        else if (isa == Isa.Vector128 && Vector128.IsHardwareAccelerated)
        {
            for (; i + 4 <= count && i + 4 <= width; i += 4)
            {
                Vector128.Load(src + i).Store(dst + i);
            }
        }
        for (; i < width; i++)
        {
            dst[i] = i < count ? src[i] : 0f;
        }
    }

    /// <summary>A mask of the first n lanes (none when n ≤ 0).</summary>
    private static Vector512<float> Lanes(int n) =>
        Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(n)).AsSingle();
}
