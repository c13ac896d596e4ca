// AVX2 transposing pack, the AVX-512 GemmTransposePack's rule on 8×8 blocks: `count` source rows of kc contiguous
// floats become a [kc, width] sliver (row r of the source is lane r of every step); rows count..width-1 are zero.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FedSpine.Tensors;

internal static unsafe class GemmTransposePack256
{
    /// <summary>True when PackRows can serve slivers of this width on this path (the avx2 path only; a partial 8-row
    /// group spills into the next step's first lanes, so it must be the only group).</summary>
    public static bool Supports(Isa isa, int width) => isa == Isa.Avx2 && Avx.IsSupported && width >= 4 && (width <= 8 || width % 8 == 0);

    /// <summary>dst[p·width + r] = src[r·ld + p] for r &lt; count, 0 for count ≤ r &lt; width; p in [0, kc).
    /// Writes nothing outside dst[0, kc·width).</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackRows(float* src, nint ld, int count, int width, int kc, float* dst)
    {
        float* spill = stackalloc float[8];
        int full = kc & ~7;
        for (int g = 0; g < width; g += 8)
        {
            int lanes = Math.Min(8, width - g);
            int valid = count - g;
            for (int p0 = 0; p0 < full; p0 += 8)
            {
                float* s = src + g * ld + p0;
                Vector256<float> r0 = 0 < valid ? Vector256.Load(s + 0 * ld) : Vector256<float>.Zero;
                Vector256<float> r1 = 1 < valid ? Vector256.Load(s + 1 * ld) : Vector256<float>.Zero;
                Vector256<float> r2 = 2 < valid ? Vector256.Load(s + 2 * ld) : Vector256<float>.Zero;
                Vector256<float> r3 = 3 < valid ? Vector256.Load(s + 3 * ld) : Vector256<float>.Zero;
                Vector256<float> r4 = 4 < valid ? Vector256.Load(s + 4 * ld) : Vector256<float>.Zero;
                Vector256<float> r5 = 5 < valid ? Vector256.Load(s + 5 * ld) : Vector256<float>.Zero;
                Vector256<float> r6 = 6 < valid ? Vector256.Load(s + 6 * ld) : Vector256<float>.Zero;
                Vector256<float> r7 = 7 < valid ? Vector256.Load(s + 7 * ld) : Vector256<float>.Zero;
                // 1: interleave row pairs within 128-bit lanes.
                Vector256<float> t0 = Avx.UnpackLow(r0, r1);
                Vector256<float> t1 = Avx.UnpackHigh(r0, r1);
                Vector256<float> t2 = Avx.UnpackLow(r2, r3);
                Vector256<float> t3 = Avx.UnpackHigh(r2, r3);
                Vector256<float> t4 = Avx.UnpackLow(r4, r5);
                Vector256<float> t5 = Avx.UnpackHigh(r4, r5);
                Vector256<float> t6 = Avx.UnpackLow(r6, r7);
                Vector256<float> t7 = Avx.UnpackHigh(r6, r7);
                // 2: gather 4 rows per 128-bit lane: u[j] holds, per lane L, column 4L+j of rows 0..3 (or 4..7).
                Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44);
                Vector256<float> u1 = Avx.Shuffle(t0, t2, 0xEE);
                Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44);
                Vector256<float> u3 = Avx.Shuffle(t1, t3, 0xEE);
                Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44);
                Vector256<float> u5 = Avx.Shuffle(t4, t6, 0xEE);
                Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44);
                Vector256<float> u7 = Avx.Shuffle(t5, t7, 0xEE);
                // 3: join the row halves: r_q holds step p0+q of rows g..g+7.
                float* d = dst + p0 * width + g;
                Put(Avx.Permute2x128(u0, u4, 0x20), d + 0 * width, lanes, p0 + 0 == kc - 1, spill);
                Put(Avx.Permute2x128(u1, u5, 0x20), d + 1 * width, lanes, p0 + 1 == kc - 1, spill);
                Put(Avx.Permute2x128(u2, u6, 0x20), d + 2 * width, lanes, p0 + 2 == kc - 1, spill);
                Put(Avx.Permute2x128(u3, u7, 0x20), d + 3 * width, lanes, p0 + 3 == kc - 1, spill);
                Put(Avx.Permute2x128(u0, u4, 0x31), d + 4 * width, lanes, p0 + 4 == kc - 1, spill);
                Put(Avx.Permute2x128(u1, u5, 0x31), d + 5 * width, lanes, p0 + 5 == kc - 1, spill);
                Put(Avx.Permute2x128(u2, u6, 0x31), d + 6 * width, lanes, p0 + 6 == kc - 1, spill);
                Put(Avx.Permute2x128(u3, u7, 0x31), d + 7 * width, lanes, p0 + 7 == kc - 1, spill);
            }
        }
        GemmPacking.TransposeSteps(src, ld, count, width, full, kc, dst);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector256<float> v, float* d, int lanes, bool last, float* spill) =>
        GemmPacking.PutStep<Lanes256, Vector256<float>>(v, d, lanes, last, spill);
}
