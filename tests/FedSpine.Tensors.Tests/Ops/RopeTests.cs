// RopeTable against the closed-form angles; Rope.Apply against RopeReference, inverse undoing forward, and the
// inverse rotation as the backward (finite differences of Σ dy ⊙ RopeReference.Apply(x)).
using static FedSpine.Tensors.Tests.Ops.OpsTestUtil;

namespace FedSpine.Tensors.Tests.Ops;

public sealed class RopeTests
{
    [Fact]
    public void TableMatchesClosedForm()
    {
        const int headDim = 64, positions = 300;
        const float theta = 10000f;
        var table = new RopeTable(headDim, positions, theta);
        Assert.Equal(headDim, table.HeadDim);
        Assert.Equal(positions, table.MaxPositions);
        foreach (int pos in new[] { 0, 1, 17, 299 })
        {
            var cos = table.Cos(pos);
            var sin = table.Sin(pos);
            Assert.Equal(headDim / 2, cos.Length);
            for (int i = 0; i < headDim / 2; i++)
            {
                double angle = pos / Math.Pow(theta, 2.0 * i / headDim);
                Assert.Equal((float)Math.Cos(angle), cos[i]);
                Assert.Equal((float)Math.Sin(angle), sin[i]);
            }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Cos(positions));
    }

    [Theory]
    [InlineData(2, 1, 8, 64, 0)]
    [InlineData(2, 5, 4, 6, 3)]
    [InlineData(1, 33, 1, 40, 7)]
    [InlineData(2, 33, 8, 48, 0)]
    [InlineData(2, 33, 8, 128, 5)] // above the threading threshold
    public void FastMatchesReferenceAndInverseUndoes(int batch, int tokens, int heads, int headDim, int start)
    {
        var table = new RopeTable(headDim, start + tokens, 10000f);
        float[] x = RandomArray(batch * tokens * heads * headDim, 21); // [batch, tokens, heads, headDim]
        float[] fast = (float[])x.Clone(), reference = (float[])x.Clone();
        Rope.Apply(fast, batch, tokens, heads, headDim, start, table);
        RopeReference.Apply(reference, batch, tokens, heads, headDim, start, table);
        AssertClose(reference, fast, 1e-5, 1e-6, "rotated");
        if (start + tokens > 1)
        {
            Assert.NotEqual(x, fast);
        }

        Rope.Apply(fast, batch, tokens, heads, headDim, start, table, inverse: true);
        RopeReference.Apply(reference, batch, tokens, heads, headDim, start, table, inverse: true);
        AssertClose(x, fast, 1e-5, 1e-6, "fast inverse");
        AssertClose(x, reference, 1e-5, 1e-6, "reference inverse");
    }

    [Fact]
    public void InverseIsTheBackward()
    {
        const int batch = 2, tokens = 5, heads = 3, headDim = 8, start = 2;
        var table = new RopeTable(headDim, start + tokens, 10000f);
        float[] x = RandomArray(batch * tokens * heads * headDim, 31);
        float[] dy = RandomArray(x.Length, 32);
        var y = new float[x.Length];
        double Loss()
        {
            x.CopyTo(y, 0);
            RopeReference.Apply(y, batch, tokens, heads, headDim, start, table);
            return Dot(dy, y);
        }

        float[] dx = (float[])dy.Clone();
        Rope.Apply(dx, batch, tokens, heads, headDim, start, table, inverse: true);
        AssertGradient(Loss, x, dx, 40, 33, 1e-2f, 1e-3, 1e-4, "dx");
    }

    [Fact]
    public void PositionsBeyondTableThrow()
    {
        var table = new RopeTable(8, 4, 10000f);
        Assert.Throws<ArgumentOutOfRangeException>(() => Rope.Apply(new float[8 * 3], 1, 3, 1, 8, 2, table));
        Assert.Throws<ArgumentException>(() => Rope.Apply(new float[6], 1, 1, 1, 6, 0, table));
    }
}
