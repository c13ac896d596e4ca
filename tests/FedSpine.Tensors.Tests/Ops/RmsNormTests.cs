// RmsNorm: the fast kernel against RmsNormReference (small and threaded sizes), and the backward against
// central finite differences of Σ dy ⊙ RmsNormReference.Forward.
using static FedSpine.Tensors.Tests.Ops.OpsTestUtil;

namespace FedSpine.Tensors.Tests.Ops;

public sealed class RmsNormTests
{
    private const float Eps = 1e-5f;

    [Theory]
    [InlineData(3, 1)]
    [InlineData(3, 7)]
    [InlineData(2, 64)]
    [InlineData(5, 172)]
    [InlineData(4, 513)]
    [InlineData(160, 513)] // above the threading threshold
    public void FastMatchesReference(int rows, int cols)
    {
        float[] x = RandomArray(rows * cols, 1, 2f);       // [rows, cols]
        float[] weight = RandomArray(cols, 2);             // [cols]
        float[] dy = RandomArray(rows * cols, 3);          // [rows, cols]
        float[] dxStart = RandomArray(rows * cols, 4);     // [rows, cols]: Backward adds into it
        float[] dWeightStart = RandomArray(cols, 5);       // [cols]: likewise

        var y = new float[rows * cols];
        var rstd = new float[rows];
        var yRef = new float[rows * cols];
        var rstdRef = new float[rows];
        RmsNorm.Forward(x, weight, y, rstd, rows, cols, Eps);
        RmsNormReference.Forward(x, weight, yRef, rstdRef, rows, cols, Eps);
        AssertClose(rstdRef, rstd, 1e-5, 0, "rstd");
        AssertClose(yRef, y, 1e-5, 1e-6, "y");

        float[] dx = (float[])dxStart.Clone(), dxRef = (float[])dxStart.Clone();
        float[] dWeight = (float[])dWeightStart.Clone(), dWeightRef = (float[])dWeightStart.Clone();
        RmsNorm.Backward(dy, x, weight, rstd, dx, dWeight, rows, cols);
        RmsNormReference.Backward(dy, x, weight, rstdRef, dxRef, dWeightRef, rows, cols);
        AssertClose(dxRef, dx, 1e-4, 1e-5, "dx");
        AssertClose(dWeightRef, dWeight, 1e-4, 1e-4, "dWeight");

        float[] dxFrozen = (float[])dxStart.Clone();
        RmsNorm.Backward(dy, x, weight, rstd, dxFrozen, Span<float>.Empty, rows, cols);
        Assert.Equal(dx, dxFrozen);
    }

    [Theory]
    [InlineData(3, 7)]
    [InlineData(2, 64)]
    public void BackwardMatchesFiniteDifferences(int rows, int cols)
    {
        float[] x = RandomArray(rows * cols, 11, 2f);
        float[] weight = RandomArray(cols, 12);
        float[] dy = RandomArray(rows * cols, 13);
        var y = new float[rows * cols];
        var rstd = new float[rows];
        double Loss()
        {
            RmsNormReference.Forward(x, weight, y, rstd, rows, cols, Eps);
            return Dot(dy, y);
        }

        Loss();
        var dx = new float[rows * cols];
        var dWeight = new float[cols];
        RmsNorm.Backward(dy, x, weight, rstd, dx, dWeight, rows, cols);
        AssertGradient(Loss, x, dx, 24, 14, 1e-2f, 1e-2, 1e-3, "dx");
        AssertGradient(Loss, weight, dWeight, 24, 15, 1e-2f, 1e-2, 1e-3, "dWeight");
    }

    [Fact]
    public void ShortBufferThrows()
    {
        var x = new float[10];
        Assert.Throws<ArgumentException>(() => RmsNorm.Forward(x, new float[5], new float[10], new float[1], 2, 5, Eps));
    }
}
