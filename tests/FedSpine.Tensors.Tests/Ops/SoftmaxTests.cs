// Softmax: the fast kernel against SoftmaxReference (small, threaded and large-magnitude inputs), in-place backward,
// and the backward against central finite differences of Σ dy ⊙ SoftmaxReference.Forward.
using static FedSpine.Tensors.Tests.Ops.OpsTestUtil;

namespace FedSpine.Tensors.Tests.Ops;

public sealed class SoftmaxTests
{
    [Theory]
    [InlineData(3, 1, 3f)]
    [InlineData(3, 7, 3f)]
    [InlineData(2, 64, 3f)]
    [InlineData(5, 172, 3f)]
    [InlineData(4, 513, 80f)] // exp would overflow without the max subtraction
    [InlineData(200, 513, 3f)] // above the threading threshold
    public void FastMatchesReference(int rows, int cols, float scale)
    {
        float[] x = RandomArray(rows * cols, 41, scale);
        float[] dy = RandomArray(rows * cols, 42);
        float[] y = (float[])x.Clone(), yRef = (float[])x.Clone();
        Softmax.Forward(y, rows, cols);
        SoftmaxReference.Forward(yRef, rows, cols);
        AssertClose(yRef, y, 1e-5, 1e-7, "y");
        for (int r = 0; r < rows; r++)
        {
            Assert.Equal(1.0, y.AsSpan(r * cols, cols).ToArray().Sum(v => (double)v), 4);
        }

        var dx = new float[rows * cols];
        var dxRef = new float[rows * cols];
        Softmax.Backward(dy, y, dx, rows, cols);
        SoftmaxReference.Backward(dy, yRef, dxRef, rows, cols);
        AssertClose(dxRef, dx, 1e-4, 1e-6, "dx");

        float[] inPlace = (float[])dy.Clone();
        Softmax.Backward(inPlace, y, inPlace, rows, cols);
        Assert.Equal(dx, inPlace);
    }

    [Theory]
    [InlineData(3, 7)]
    [InlineData(2, 64)]
    public void BackwardMatchesFiniteDifferences(int rows, int cols)
    {
        float[] x = RandomArray(rows * cols, 43, 2f);
        float[] dy = RandomArray(rows * cols, 44);
        var y = new float[rows * cols];
        double Loss()
        {
            x.CopyTo(y, 0);
            SoftmaxReference.Forward(y, rows, cols);
            return Dot(dy, y);
        }

        Loss();
        var dx = new float[rows * cols];
        Softmax.Backward(dy, y, dx, rows, cols);
        AssertGradient(Loss, x, dx, 30, 45, 1e-2f, 1e-2, 1e-4, "dx");
    }
}
