// The fast Gemm against GemmReference: every transpose combination and SIMD flavour, the alpha/beta rules, leading
// dimensions wider than rows, odd sizes, and sizes on both sides of every blocking and dispatch threshold.
namespace FedSpine.Tensors.Tests;

public sealed class GemmTests
{
    private static readonly (bool TransA, bool TransB)[] Layouts = [(false, false), (false, true), (true, false), (true, true)];

    private static readonly int[] OddSizes = [1, 2, 3, 7, 17, 31, 33, 63, 65, 127, 129, 255, 300];

    public static TheoryData<int> OddSizeData => new(OddSizes);

    [Theory]
    [MemberData(nameof(OddSizeData))]
    public void CubesOfOddSizesMatchReference(int size)
    {
        foreach (var (ta, tb) in Layouts)
        {
            GemmCheck.AgainstReference(IsaPath.Current, ta, tb, size, size, size, 1f, 0f);
        }
    }

    [Theory]
    [InlineData(1, 3, 1000)]
    [InlineData(3, 1, 1000)]
    [InlineData(1000, 3, 1)]
    [InlineData(300, 1, 7)]
    [InlineData(17, 300, 3)]
    [InlineData(129, 2, 255)]
    [InlineData(2, 129, 33)]
    [InlineData(65, 127, 1)]
    [InlineData(7, 1000, 63)]
    [InlineData(255, 31, 129)]
    [InlineData(1000, 1, 300)]
    public void MixedOddShapesMatchReference(int m, int n, int k)
    {
        foreach (var (ta, tb) in Layouts)
        {
            GemmCheck.AgainstReference(IsaPath.Current, ta, tb, m, n, k, 1f, 0f);
        }
    }

    [Fact]
    public void EverySupportedSimdFlavourMatchesReference()
    {
        (int M, int N, int K)[] shapes = [(1, 37, 53), (4, 70, 129), (9, 33, 65), (100, 90, 300), (31, 129, 17), (200, 47, 600)];
        foreach (Isa isa in Enum.GetValues<Isa>().Where(IsaPath.IsSupported))
        {
            foreach (var (m, n, k) in shapes)
            {
                foreach (var (ta, tb) in Layouts)
                {
                    GemmCheck.AgainstReference(isa, ta, tb, m, n, k, 0.75f, 0.5f, padA: 3, padB: 1, padC: 2);
                }
            }
        }
    }

    public static TheoryData<int, int, int> ThresholdShapes()
    {
        GemmBlocking bk = GemmConfig.Blocking(IsaPath.Current);
        int tinyEdge = (int)Math.Round(Math.Cbrt(Gemm.DirectMaxWork));
        int parallelEdge = (int)Math.Ceiling(Math.Cbrt(GemmBlocked.ParallelFlops / 2));
        int gemvEdge = (int)Math.Sqrt(GemmDirect.ParallelWork);
        var data = new TheoryData<int, int, int>
        {
            // Unpacked paths: rows of C, total work, parallel matrix-vector.
            { Gemm.DirectMaxRows, 40, 50 }, { Gemm.DirectMaxRows + 1, 40, 50 },
            { tinyEdge, tinyEdge, tinyEdge }, { tinyEdge, tinyEdge, tinyEdge + 1 },
            { 1, gemvEdge, gemvEdge }, { 1, gemvEdge, gemvEdge - 1 }, { 5, gemvEdge + 3, gemvEdge },
            // Packed path: parallel threshold, register tile, kc, task rows, panel widths and heights.
            { parallelEdge - 1, parallelEdge - 1, parallelEdge - 1 }, { parallelEdge, parallelEdge, parallelEdge },
            { bk.MR - 1, bk.NR - 1, 40 }, { bk.MR, bk.NR, 40 }, { bk.MR + 1, bk.NR + 1, 40 },
            { 30, 40, bk.KC - 1 }, { 30, 40, bk.KC }, { 30, 40, bk.KC + 1 }, { 20, 33, 2 * bk.KC + 1 },
            { bk.MC - 1, 33, 20 }, { bk.MC + 1, 33, 20 },
            { 9, bk.NC, 4 }, { 9, bk.NC + 1, 4 },
            { bk.MPanel, 33, 3 }, { bk.MPanel + 1, 33, 3 },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(ThresholdShapes))]
    public void ShapesOnBothSidesOfEveryThresholdMatchReference(int m, int n, int k)
    {
        foreach (var (ta, tb) in Layouts)
        {
            GemmCheck.AgainstReference(IsaPath.Current, ta, tb, m, n, k, 1f, 1f);
        }
    }

    public static TheoryData<int, int, int, float, float> AlphaBetaCases() => new()
    {
        { 1, 50, 40, 1f, 1f }, { 1, 50, 40, -0.5f, 0.25f }, { 5, 70, 30, 2f, 1f }, { 16, 16, 16, 1f, -1f },
        { 60, 70, 80, 1f, 1f }, { 60, 70, 80, -0.5f, 0.25f }, { 300, 200, 500, 0.3f, 2f },
    };

    [Theory]
    [MemberData(nameof(AlphaBetaCases))]
    public void AlphaAndBetaScaleAsReference(int m, int n, int k, float alpha, float beta)
    {
        foreach (var (ta, tb) in Layouts)
        {
            GemmCheck.AgainstReference(IsaPath.Current, ta, tb, m, n, k, alpha, beta);
        }
    }

    [Theory]
    [InlineData(1, 50, 40)]
    [InlineData(6, 50, 40)]
    [InlineData(20, 20, 20)]
    [InlineData(60, 70, 80)]
    [InlineData(300, 200, 500)]
    public void BetaZeroIgnoresNaNInC(int m, int n, int k)
    {
        foreach (var (ta, tb) in Layouts)
        {
            float[] a = GemmCheck.RandomMatrix(1, m * k);
            float[] b = GemmCheck.RandomMatrix(2, k * n);
            float[] c = Enumerable.Repeat(float.NaN, m * n).ToArray();
            float[] expected = new float[m * n];
            Gemm.Multiply(ta, tb, m, n, k, 0.5f, a, ta ? m : k, b, tb ? k : n, 0f, c, n);
            GemmReference.Multiply(ta, tb, m, n, k, 0.5f, a, ta ? m : k, b, tb ? k : n, 0f, expected, n);
            Assert.All(c, x => Assert.True(float.IsFinite(x)));
            GemmCheck.AssertClose(expected, c, k, $"{m}x{n}x{k} ta={ta} tb={tb}");
        }
    }

    [Theory]
    [InlineData(1, 40, 50)]
    [InlineData(3, 40, 50)]
    [InlineData(33, 65, 129)]
    [InlineData(200, 150, 100)]
    [InlineData(500, 1, 40)]
    public void LeadingDimensionsWiderThanRowsAreHonoured(int m, int n, int k)
    {
        foreach (var (ta, tb) in Layouts)
        {
            GemmCheck.AgainstReference(IsaPath.Current, ta, tb, m, n, k, 1f, 1f, padA: 5, padB: 17, padC: 3);
        }
    }

    [Theory]
    [InlineData(1, 172, 64, false)]
    [InlineData(3, 64, 172, true)]
    [InlineData(64, 200, 96, true)]
    [InlineData(257, 130, 300, false)]
    [InlineData(256, 288, 8, false)] // LoRA: x·Aᵀ down to rank 8, and its gradients
    [InlineData(256, 8, 288, true)]  // LoRA: (x·Aᵀ)·Bᵀ up from rank 8 into y, and its gradients
    [InlineData(5, 8, 288, true)]    // LoRA in decode: few rows
    public void LinearLayerHelpersMatchReference(int m, int k, int n, bool accumulate)
    {
        float[] x = GemmCheck.RandomMatrix(1, m * k);
        float[] w = GemmCheck.RandomMatrix(2, n * k);
        float[] dy = GemmCheck.RandomMatrix(3, m * n);

        float[] y = GemmCheck.RandomMatrix(4, m * n);
        float[] yRef = (float[])y.Clone();
        Gemm.XWt(x, w, y, m, k, n, accumulate);
        GemmReference.XWt(x, w, yRef, m, k, n, accumulate);
        GemmCheck.AssertClose(yRef, y, k, "XWt");

        float[] dx = GemmCheck.RandomMatrix(5, m * k);
        float[] dxRef = (float[])dx.Clone();
        Gemm.DyW(dy, w, dx, m, n, k, accumulate);
        GemmReference.DyW(dy, w, dxRef, m, n, k, accumulate);
        GemmCheck.AssertClose(dxRef, dx, n, "DyW");

        float[] dw = GemmCheck.RandomMatrix(6, n * k);
        float[] dwRef = (float[])dw.Clone();
        Gemm.DytX(dy, x, dw, m, n, k, accumulate);
        GemmReference.DytX(dy, x, dwRef, m, n, k, accumulate);
        GemmCheck.AssertClose(dwRef, dw, m, "DytX");
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.5f)]
    public void EmptyReductionScalesCByBeta(float beta)
    {
        float[] c = [1f, 2f, float.NaN, 4f, 5f, 6f];
        if (beta != 0)
        {
            c[2] = 3f;
        }
        float[] expected = c.Select(x => beta == 0 ? 0f : beta * x).ToArray();
        Gemm.Multiply(false, false, 2, 3, 0, 1f, [], 0, [], 3, beta, c, 3);
        Assert.Equal(expected, c);
    }

    [Fact]
    public void EmptyOutputLeavesEverythingAlone()
    {
        float[] c = [7f];
        Gemm.Multiply(false, false, 0, 1, 5, 1f, [], 5, new float[5], 1, 0f, c, 1);
        Gemm.Multiply(false, false, 1, 0, 5, 1f, new float[5], 5, [], 0, 0f, c, 0);
        Assert.Equal(7f, c[0]);
    }

    [Fact]
    public void OperandsTooSmallForTheirShapeAreRejected()
    {
        float[] a = new float[6];
        float[] b = new float[6];
        float[] c = new float[4];
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 4, 1f, a, 4, b, 2, 0f, c, 2));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 3, b, 2, 0f, new float[3], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, 2, 2, 3, 1f, a, 2, b, 2, 0f, c, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(false, false, -1, 2, 3, 1f, a, 3, b, 2, 0f, c, 2));
    }
}

/// <summary>Random operands and the fast-versus-reference comparison the Gemm tests share.</summary>
internal static class GemmCheck
{
    public static float[] RandomMatrix(int seed, int count)
    {
        var random = new Random(seed);
        var data = new float[Math.Max(count, 0)];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return data;
    }

    /// <summary>Runs the fast kernels of <paramref name="isa"/> and the reference on the same random operands (leading
    /// dimensions padded as given) and compares C, padding columns of C included (those must stay untouched).</summary>
    public static void AgainstReference(Isa isa, bool transA, bool transB, int m, int n, int k, float alpha, float beta,
        int padA = 0, int padB = 0, int padC = 0)
    {
        int lda = (transA ? m : k) + padA;
        int ldb = (transB ? k : n) + padB;
        int ldc = n + padC;
        float[] a = RandomMatrix(m * 31 + k, (transA ? k : m) * lda);
        float[] b = RandomMatrix(n * 17 + k, (transB ? n : k) * ldb);
        float[] c = RandomMatrix(m + n, m * ldc);
        float[] original = (float[])c.Clone();
        float[] expected = (float[])c.Clone();
        Gemm.Multiply(isa, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        GemmReference.Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);
        string what = $"{isa} {m}x{n}x{k} ta={transA} tb={transB} alpha={alpha} beta={beta} pads={padA},{padB},{padC}";
        AssertClose(expected, c, k, what);
        for (int i = 0; i < m; i++)
        {
            for (int j = n; j < ldc; j++)
            {
                Assert.True(original[i * ldc + j] == c[i * ldc + j], $"{what}: padding C[{i},{j}] was written");
            }
        }
    }

    /// <summary>|actual − expected| ≤ 1e-4·√k·max(1, |expected|) everywhere.</summary>
    public static void AssertClose(float[] expected, float[] actual, int k, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 1e-4 * Math.Sqrt(Math.Max(k, 1));
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = scale * Math.Max(1, Math.Abs(expected[i]));
            if (!(Math.Abs(actual[i] - expected[i]) <= tolerance))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]} (tolerance {tolerance:E2})");
            }
        }
    }
}
