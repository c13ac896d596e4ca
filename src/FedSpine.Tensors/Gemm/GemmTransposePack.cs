// AVX-512 transposing pack: `count` source rows of kc contiguous floats become a [kc, width] sliver (row r of the
// source is lane r of every step), via 16×16 in-register transposes; rows count..width-1 of the sliver are zero.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FedSpine.Tensors;

internal static unsafe class GemmTransposePack
{
    /// <summary>True when PackRows can serve slivers of this width on this path (the AVX-512 path only).</summary>
    public static bool Supports(Isa isa, int width) => isa == Isa.Avx512 && Vector512.IsHardwareAccelerated && width >= 8;

    /// <summary>dst[p·width + r] = src[r·ld + p] for r &lt; count, 0 for count ≤ r &lt; width; p in [0, kc).
    /// Writes nothing outside dst[0, kc·width).</summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackRows(float* src, nint ld, int count, int width, int kc, float* dst)
    {
        float* spill = stackalloc float[16];
        int full = kc & ~15;
        for (int g = 0; g < width; g += 16)
        {
            int lanes = Math.Min(16, width - g);
            for (int p0 = 0; p0 < full; p0 += 16)
            {
                float* s = src + g * ld + p0;
                int valid = count - g;
                Vector512<float> r0 = 0 < valid ? Vector512.Load(s + 0 * ld) : Vector512<float>.Zero;
                Vector512<float> r1 = 1 < valid ? Vector512.Load(s + 1 * ld) : Vector512<float>.Zero;
                Vector512<float> r2 = 2 < valid ? Vector512.Load(s + 2 * ld) : Vector512<float>.Zero;
                Vector512<float> r3 = 3 < valid ? Vector512.Load(s + 3 * ld) : Vector512<float>.Zero;
                Vector512<float> r4 = 4 < valid ? Vector512.Load(s + 4 * ld) : Vector512<float>.Zero;
                Vector512<float> r5 = 5 < valid ? Vector512.Load(s + 5 * ld) : Vector512<float>.Zero;
                Vector512<float> r6 = 6 < valid ? Vector512.Load(s + 6 * ld) : Vector512<float>.Zero;
                Vector512<float> r7 = 7 < valid ? Vector512.Load(s + 7 * ld) : Vector512<float>.Zero;
                Vector512<float> r8 = 8 < valid ? Vector512.Load(s + 8 * ld) : Vector512<float>.Zero;
                Vector512<float> r9 = 9 < valid ? Vector512.Load(s + 9 * ld) : Vector512<float>.Zero;
                Vector512<float> r10 = 10 < valid ? Vector512.Load(s + 10 * ld) : Vector512<float>.Zero;
                Vector512<float> r11 = 11 < valid ? Vector512.Load(s + 11 * ld) : Vector512<float>.Zero;
                Vector512<float> r12 = 12 < valid ? Vector512.Load(s + 12 * ld) : Vector512<float>.Zero;
                Vector512<float> r13 = 13 < valid ? Vector512.Load(s + 13 * ld) : Vector512<float>.Zero;
                Vector512<float> r14 = 14 < valid ? Vector512.Load(s + 14 * ld) : Vector512<float>.Zero;
                Vector512<float> r15 = 15 < valid ? Vector512.Load(s + 15 * ld) : Vector512<float>.Zero;
                // Transpose the 16×16 block in registers: afterwards r_q holds step p0+q of rows g..g+15.
                // 1: interleave row pairs within 128-bit lanes.
                Vector512<float> t0 = Avx512F.UnpackLow(r0, r1);
                Vector512<float> t1 = Avx512F.UnpackHigh(r0, r1);
                Vector512<float> t2 = Avx512F.UnpackLow(r2, r3);
                Vector512<float> t3 = Avx512F.UnpackHigh(r2, r3);
                Vector512<float> t4 = Avx512F.UnpackLow(r4, r5);
                Vector512<float> t5 = Avx512F.UnpackHigh(r4, r5);
                Vector512<float> t6 = Avx512F.UnpackLow(r6, r7);
                Vector512<float> t7 = Avx512F.UnpackHigh(r6, r7);
                Vector512<float> t8 = Avx512F.UnpackLow(r8, r9);
                Vector512<float> t9 = Avx512F.UnpackHigh(r8, r9);
                Vector512<float> t10 = Avx512F.UnpackLow(r10, r11);
                Vector512<float> t11 = Avx512F.UnpackHigh(r10, r11);
                Vector512<float> t12 = Avx512F.UnpackLow(r12, r13);
                Vector512<float> t13 = Avx512F.UnpackHigh(r12, r13);
                Vector512<float> t14 = Avx512F.UnpackLow(r14, r15);
                Vector512<float> t15 = Avx512F.UnpackHigh(r14, r15);
                // 2: interleave pairs of pairs: u[4i+j] holds, per 128-bit lane L, column 4L+j of rows 4i..4i+3.
                Vector512<float> u0 = Lo(t0, t2);
                Vector512<float> u1 = Hi(t0, t2);
                Vector512<float> u2 = Lo(t1, t3);
                Vector512<float> u3 = Hi(t1, t3);
                Vector512<float> u4 = Lo(t4, t6);
                Vector512<float> u5 = Hi(t4, t6);
                Vector512<float> u6 = Lo(t5, t7);
                Vector512<float> u7 = Hi(t5, t7);
                Vector512<float> u8 = Lo(t8, t10);
                Vector512<float> u9 = Hi(t8, t10);
                Vector512<float> u10 = Lo(t9, t11);
                Vector512<float> u11 = Hi(t9, t11);
                Vector512<float> u12 = Lo(t12, t14);
                Vector512<float> u13 = Hi(t12, t14);
                Vector512<float> u14 = Lo(t13, t15);
                Vector512<float> u15 = Hi(t13, t15);
                // 3 and 4: gather the 128-bit lanes of the four row groups.
                Vector512<float> v0 = Avx512F.Shuffle4x128(u0, u4, 0x88);
                Vector512<float> v4 = Avx512F.Shuffle4x128(u0, u4, 0xDD);
                Vector512<float> v8 = Avx512F.Shuffle4x128(u8, u12, 0x88);
                Vector512<float> v12 = Avx512F.Shuffle4x128(u8, u12, 0xDD);
                Vector512<float> v1 = Avx512F.Shuffle4x128(u1, u5, 0x88);
                Vector512<float> v5 = Avx512F.Shuffle4x128(u1, u5, 0xDD);
                Vector512<float> v9 = Avx512F.Shuffle4x128(u9, u13, 0x88);
                Vector512<float> v13 = Avx512F.Shuffle4x128(u9, u13, 0xDD);
                Vector512<float> v2 = Avx512F.Shuffle4x128(u2, u6, 0x88);
                Vector512<float> v6 = Avx512F.Shuffle4x128(u2, u6, 0xDD);
                Vector512<float> v10 = Avx512F.Shuffle4x128(u10, u14, 0x88);
                Vector512<float> v14 = Avx512F.Shuffle4x128(u10, u14, 0xDD);
                Vector512<float> v3 = Avx512F.Shuffle4x128(u3, u7, 0x88);
                Vector512<float> v7 = Avx512F.Shuffle4x128(u3, u7, 0xDD);
                Vector512<float> v11 = Avx512F.Shuffle4x128(u11, u15, 0x88);
                Vector512<float> v15 = Avx512F.Shuffle4x128(u11, u15, 0xDD);
                r0 = Avx512F.Shuffle4x128(v0, v8, 0x88);
                r8 = Avx512F.Shuffle4x128(v0, v8, 0xDD);
                r4 = Avx512F.Shuffle4x128(v4, v12, 0x88);
                r12 = Avx512F.Shuffle4x128(v4, v12, 0xDD);
                r1 = Avx512F.Shuffle4x128(v1, v9, 0x88);
                r9 = Avx512F.Shuffle4x128(v1, v9, 0xDD);
                r5 = Avx512F.Shuffle4x128(v5, v13, 0x88);
                r13 = Avx512F.Shuffle4x128(v5, v13, 0xDD);
                r2 = Avx512F.Shuffle4x128(v2, v10, 0x88);
                r10 = Avx512F.Shuffle4x128(v2, v10, 0xDD);
                r6 = Avx512F.Shuffle4x128(v6, v14, 0x88);
                r14 = Avx512F.Shuffle4x128(v6, v14, 0xDD);
                r3 = Avx512F.Shuffle4x128(v3, v11, 0x88);
                r11 = Avx512F.Shuffle4x128(v3, v11, 0xDD);
                r7 = Avx512F.Shuffle4x128(v7, v15, 0x88);
                r15 = Avx512F.Shuffle4x128(v7, v15, 0xDD);
                float* d = dst + p0 * width + g;
                Put(r0, d + 0 * width, lanes, p0 + 0 == kc - 1, spill);
                Put(r1, d + 1 * width, lanes, p0 + 1 == kc - 1, spill);
                Put(r2, d + 2 * width, lanes, p0 + 2 == kc - 1, spill);
                Put(r3, d + 3 * width, lanes, p0 + 3 == kc - 1, spill);
                Put(r4, d + 4 * width, lanes, p0 + 4 == kc - 1, spill);
                Put(r5, d + 5 * width, lanes, p0 + 5 == kc - 1, spill);
                Put(r6, d + 6 * width, lanes, p0 + 6 == kc - 1, spill);
                Put(r7, d + 7 * width, lanes, p0 + 7 == kc - 1, spill);
                Put(r8, d + 8 * width, lanes, p0 + 8 == kc - 1, spill);
                Put(r9, d + 9 * width, lanes, p0 + 9 == kc - 1, spill);
                Put(r10, d + 10 * width, lanes, p0 + 10 == kc - 1, spill);
                Put(r11, d + 11 * width, lanes, p0 + 11 == kc - 1, spill);
                Put(r12, d + 12 * width, lanes, p0 + 12 == kc - 1, spill);
                Put(r13, d + 13 * width, lanes, p0 + 13 == kc - 1, spill);
                Put(r14, d + 14 * width, lanes, p0 + 14 == kc - 1, spill);
                Put(r15, d + 15 * width, lanes, p0 + 15 == kc - 1, spill);
            }
        }
        GemmPacking.TransposeSteps(src, ld, count, width, full, kc, dst);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Vector512<float> v, float* d, int lanes, bool last, float* spill) =>
        GemmPacking.PutStep<Lanes512, Vector512<float>>(v, d, lanes, last, spill);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Lo(Vector512<float> a, Vector512<float> b) =>
        Avx512F.UnpackLow(a.AsDouble(), b.AsDouble()).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Hi(Vector512<float> a, Vector512<float> b) =>
        Avx512F.UnpackHigh(a.AsDouble(), b.AsDouble()).AsSingle();
}
