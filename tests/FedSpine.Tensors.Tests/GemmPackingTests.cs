// Panel packing against a direct reading of the layout: [kc, w] slivers of op(A) rows / op(B) columns, zero-padded,
// for every path's tile widths (packed by that path's copy code), both storage orders, depths with and without a 16-step tail.
namespace FedSpine.Tensors.Tests;

public sealed unsafe class GemmPackingTests
{
    private const float Sentinel = -12345f;

    public static TheoryData<Isa, int, int> Cases()
    {
        var data = new TheoryData<Isa, int, int>();
        foreach (Isa isa in Enum.GetValues<Isa>().Where(IsaPath.IsSupported))
        {
            foreach (int width in new[] { GemmConfig.Blocking(isa).MR, GemmConfig.Blocking(isa).NR }.Distinct())
            {
                foreach (int kc in new[] { 1, 15, 16, 17, 40, 384 })
                {
                    data.Add(isa, width, kc);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PackedSliversHoldTheBlockZeroPaddedAndNothingElseIsWritten(Isa isa, int width, int kc)
    {
        // A block of 2.5 slivers; pack slivers 1..2 only (sliver 2 partial), so sliver 0 must stay untouched.
        int lines = 2 * width + width / 2 + 1;
        foreach (bool trans in new[] { false, true })
        {
            foreach (bool packA in new[] { false, true })
            {
                // Storage: lines along the panel's width index, kc along the reduction; ld padded by 3.
                bool linesAreRows = packA != trans; // A not transposed, or B transposed: each line is a stored row.
                int ld = (linesAreRows ? kc : lines) + 3;
                float[] src = GemmCheck.RandomMatrix(width + kc, (linesAreRows ? lines : kc) * ld);
                float[] dst = Enumerable.Repeat(Sentinel, 3 * width * kc + 64).ToArray();
                fixed (float* s = src, d = dst)
                {
                    if (packA)
                    {
                        GemmPacking.PackA(isa, s, ld, trans, lines, kc, width, 1, 2, d);
                    }
                    else
                    {
                        GemmPacking.PackB(isa, s, ld, trans, kc, lines, width, 1, 2, d);
                    }
                }
                string what = $"{isa} width {width} kc {kc} trans {trans} {(packA ? "A" : "B")}";
                for (int i = 0; i < dst.Length; i++)
                {
                    int sliver = i / (width * kc);
                    int p = i % (width * kc) / width;
                    int line = sliver * width + i % width;
                    float expected = sliver is 1 or 2
                        ? (line < lines ? src[linesAreRows ? line * ld + p : p * ld + line] : 0f)
                        : Sentinel;
                    Assert.True(expected == dst[i], $"{what}: dst[{i}] (sliver {sliver}, step {p}, line {line}) is {dst[i]}, expected {expected}");
                }
            }
        }
    }
}
