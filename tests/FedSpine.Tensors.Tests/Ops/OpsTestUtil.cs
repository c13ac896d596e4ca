// Shared helpers for the op tests: seeded random buffers, element-wise closeness checks, and central finite
// differences of a double-valued loss with respect to one float input.
namespace FedSpine.Tensors.Tests.Ops;

internal static class OpsTestUtil
{
    /// <summary>n values uniform in [−scale, scale), reproducible from seed.</summary>
    public static float[] RandomArray(int n, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    /// <summary>Fails unless |expected − actual| ≤ atol + rtol·|expected| for every element.</summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double rtol, double atol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (!(Math.Abs(e - a) <= atol + rtol * Math.Abs(e)))
            {
                Assert.Fail($"{what}[{i}]: expected {e:G9}, got {a:G9} (rtol {rtol}, atol {atol})");
            }
        }
    }

    /// <summary>Σ a·b in double.</summary>
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }
        return sum;
    }

    /// <summary>Up to count distinct indices below n, reproducible from seed (all of them when n ≤ count).</summary>
    public static int[] Sample(int n, int count, int seed)
    {
        if (n <= count)
        {
            return Enumerable.Range(0, n).ToArray();
        }
        var rng = new Random(seed);
        return Enumerable.Range(0, n).OrderBy(_ => rng.Next()).Take(count).ToArray();
    }

    /// <summary>Central difference of loss() with respect to buffer[index], step h (the step actually taken in float
    /// is used as the denominator). Restores the buffer.</summary>
    public static double FiniteDifference(Func<double> loss, float[] buffer, int index, float h)
    {
        float original = buffer[index];
        float plus = original + h, minus = original - h;
        buffer[index] = plus;
        double lossPlus = loss();
        buffer[index] = minus;
        double lossMinus = loss();
        buffer[index] = original;
        return (lossPlus - lossMinus) / ((double)plus - minus);
    }

    /// <summary>Checks analytic gradient entries against central differences (step h) at sampled indices:
    /// |fd − analytic| ≤ atol + rtol·|fd| for each.</summary>
    public static void AssertGradient(Func<double> loss, float[] input, ReadOnlySpan<float> gradient, int samples, int seed, float h,
        double rtol, double atol, string what)
    {
        foreach (int i in Sample(input.Length, samples, seed))
        {
            double fd = FiniteDifference(loss, input, i, h);
            if (!(Math.Abs(fd - gradient[i]) <= atol + rtol * Math.Abs(fd)))
            {
                Assert.Fail($"{what}[{i}]: finite difference {fd:G9}, analytic {gradient[i]:G9}");
            }
        }
    }
}
