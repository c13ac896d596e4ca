// CrossEntropy: the fast kernel against CrossEntropyReference (awkward and threaded sizes, ignored rows, huge logits),
// in place equal to out of place, ignored rows with zero gradient, and dLogits against finite differences of the loss.
using static FedSpine.Tensors.Tests.Ops.OpsTestUtil;

namespace FedSpine.Tensors.Tests.Ops;

public sealed class CrossEntropyTests
{
    private static int[] Targets(int rows, int vocab, int seed)
    {
        var rng = new Random(seed);
        var targets = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            targets[r] = r % 3 == 1 ? CrossEntropy.IgnoreIndex : rng.Next(vocab);
        }
        return targets;
    }

    [Theory]
    [InlineData(5, 1, 3f)]
    [InlineData(5, 7, 3f)]
    [InlineData(4, 64, 3f)]
    [InlineData(6, 172, 3f)]
    [InlineData(5, 513, 1000f)] // exp would overflow without the max subtraction
    [InlineData(40, 2001, 3f)] // above the threading threshold
    public void FastMatchesReference(int rows, int vocab, float scale)
    {
        float[] logits = RandomArray(rows * vocab, 71, scale); // [rows, vocab]
        int[] targets = Targets(rows, vocab, 72);               // [rows]
        float loss = CrossEntropy.Forward(logits, targets, rows, vocab);
        float lossRef = CrossEntropyReference.Forward(logits, targets, rows, vocab);
        Assert.Equal(lossRef, loss, 1e-4f * Math.Max(1f, Math.Abs(lossRef)));

        var dLogits = new float[rows * vocab];
        var dLogitsRef = new float[rows * vocab];
        float lossBack = CrossEntropy.ForwardBackward(logits, targets, dLogits, rows, vocab);
        CrossEntropyReference.ForwardBackward(logits, targets, dLogitsRef, rows, vocab);
        Assert.Equal(lossRef, lossBack, 1e-4f * Math.Max(1f, Math.Abs(lossRef)));
        AssertClose(dLogitsRef, dLogits, 1e-4, 1e-7, "dLogits");

        float[] inPlace = (float[])logits.Clone();
        float lossInPlace = CrossEntropy.ForwardBackward(inPlace, targets, inPlace, rows, vocab);
        Assert.Equal(lossBack, lossInPlace);
        Assert.Equal(dLogits, inPlace);
        for (int r = 0; r < rows; r++)
        {
            if (targets[r] == CrossEntropy.IgnoreIndex)
            {
                Assert.All(dLogits.AsSpan(r * vocab, vocab).ToArray(), g => Assert.Equal(0f, g));
            }
        }
    }

    [Fact]
    public void AllRowsIgnoredGivesZeroLossAndGradient()
    {
        const int rows = 3, vocab = 5;
        float[] logits = RandomArray(rows * vocab, 73);
        int[] targets = { -1, -1, -1 };
        float[] dLogits = RandomArray(rows * vocab, 74);
        Assert.Equal(0f, CrossEntropy.Forward(logits, targets, rows, vocab));
        Assert.Equal(0f, CrossEntropy.ForwardBackward(logits, targets, dLogits, rows, vocab));
        Assert.All(dLogits, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void GradientMatchesFiniteDifferences()
    {
        const int rows = 4, vocab = 9;
        float[] logits = RandomArray(rows * vocab, 75, 2f);
        int[] targets = { 3, -1, 0, 8 };
        var dLogits = new float[rows * vocab];
        CrossEntropy.ForwardBackward(logits, targets, dLogits, rows, vocab);
        AssertGradient(() => CrossEntropyReference.Forward(logits, targets, rows, vocab), logits, dLogits, rows * vocab, 76, 1e-2f, 1e-2, 1e-4, "dLogits");
    }

    [Fact]
    public void TargetOutsideVocabularyThrows()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CrossEntropy.Forward(new float[6], new[] { 0, 3 }, 2, 3));
    }
}
