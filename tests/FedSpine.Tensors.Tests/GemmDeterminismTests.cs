// Gemm results are bitwise identical whatever WorkerPool.ThreadCount is (work is split over rows and columns of C
// only, with a fixed kc), on the unpacked parallel paths and the packed one, and under concurrent callers.
namespace FedSpine.Tensors.Tests;

[Collection(PoolSettingsCollection.Name)]
public sealed class GemmDeterminismTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1000, 700 },   // matrix-vector, parallel over columns
        { 5, 900, 400 },    // few rows, parallel over columns
        { 130, 70, 90 },    // packed, parallel
        { 300, 257, 900 },  // packed, several kc steps and task blocks
        { 1024, 96, 64 },
        { 2000, 1, 600 },   // one column of C: computed as its transpose, a parallel matrix-vector product
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ResultsDoNotDependOnThreadCount(int m, int n, int k)
    {
        foreach (var (ta, tb) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            float[] a = GemmCheck.RandomMatrix(1, m * k);
            float[] b = GemmCheck.RandomMatrix(2, k * n);
            float[] c0 = GemmCheck.RandomMatrix(3, m * n);
            float[]? first = null;
            foreach (int threads in new[] { 1, 2, 3 })
            {
                float[] c = (float[])c0.Clone();
                WorkerPoolTests.WithThreads(threads, () => Gemm.Multiply(ta, tb, m, n, k, 0.5f, a, ta ? m : k, b, tb ? k : n, 1f, c, n));
                if (first == null)
                {
                    first = c;
                    GemmCheck.AgainstReference(IsaPath.Current, ta, tb, m, n, k, 0.5f, 1f);
                }
                else
                {
                    Assert.True(first.AsSpan().SequenceEqual(c), $"{m}x{n}x{k} ta={ta} tb={tb}: {threads} threads differ from 1");
                }
            }
        }
    }

    [Fact]
    public void ConcurrentCallersGetTheSameBitsAsASingleCaller()
    {
        WorkerPoolTests.WithThreads(2, () =>
        {
            const int m = 200, n = 150, k = 500;
            float[] a = GemmCheck.RandomMatrix(4, m * k);
            float[] b = GemmCheck.RandomMatrix(5, k * n);
            float[] expected = new float[m * n];
            Gemm.XWt(a, b, expected, m, k, n);
            float[][] results = Enumerable.Range(0, 4).Select(_ => new float[m * n]).ToArray();
            Parallel.For(0, results.Length, i =>
            {
                for (int round = 0; round < 5; round++)
                {
                    Gemm.XWt(a, b, results[i], m, k, n);
                }
            });
            Assert.All(results, r => Assert.True(expected.AsSpan().SequenceEqual(r)));
        });
    }
}
