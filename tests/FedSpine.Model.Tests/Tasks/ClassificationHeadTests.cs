// The classification head's gradients (weights, bias, hidden states) against central finite differences for both
// poolings with padded and filler rows, and pooling's blindness to padding, on raw hidden states and through a model.
using FedSpine.Model.Tasks;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Model.Tests.Tasks;

public class ClassificationHeadTests
{
    private const int Batch = 4, Tokens = 5, Hidden = 6, Classes = 3;
    private static readonly int[] Lengths = [5, 2, 1, 3];   // rows 1-3 padded
    private static readonly int[] Labels = [2, 0, 1, -1];   // row 3 is a filler row

    [Theory]
    [InlineData(Pooling.Mean)]
    [InlineData(Pooling.LastToken)]
    public void GradientsMatchFiniteDifferences(Pooling pooling)
    {
        var head = new ClassificationHead(Hidden, Classes, new Rng(1), pooling);
        new Rng(2).FillGaussian(head.Bias.Span, 0.5f);
        var hidden = new float[Batch * Tokens * Hidden]; // [batch·tokens, hidden]
        new Rng(3).FillGaussian(hidden, 1f);
        var dHidden = new float[hidden.Length];
        head.ForwardBackward(hidden, Lengths, Labels, Tokens, dHidden);
        float Loss() => head.Loss(hidden, Lengths, Labels, Tokens);

        AssertMatches(head.Weight.Span, head.DWeight.Span, Loss, "dWeight");
        AssertMatches(head.Bias.Span, head.DBias.Span, Loss, "dBias");
        AssertMatches(hidden, dHidden, Loss, "dHidden");
        for (int b = 0; b < Batch; b++)
        {
            for (int t = 0; t < Tokens; t++)
            {
                bool used = Labels[b] >= 0 && (pooling == Pooling.Mean ? t < Lengths[b] : t == Lengths[b] - 1);
                var row = dHidden.AsSpan((b * Tokens + t) * Hidden, Hidden);
                Assert.True(used == row.ContainsAnyExcept(0f), $"row {b} token {t}: gradient {(used ? "missing" : "leaks into an unused position")}");
            }
        }
    }

    [Fact]
    public void GradientsAccumulateAcrossCalls()
    {
        var head = new ClassificationHead(Hidden, Classes, new Rng(4), Pooling.Mean);
        var hidden = new float[Batch * Tokens * Hidden];
        new Rng(5).FillGaussian(hidden, 1f);
        var dHidden = new float[hidden.Length];
        head.ForwardBackward(hidden, Lengths, Labels, Tokens, dHidden);
        float[] once = head.DWeight.Span.ToArray();
        head.ForwardBackward(hidden, Lengths, Labels, Tokens, dHidden);
        for (int i = 0; i < once.Length; i++)
        {
            Assert.Equal(2 * once[i], head.DWeight.Span[i], 5);
        }
    }

    [Theory]
    [InlineData(Pooling.Mean)]
    [InlineData(Pooling.LastToken)]
    public void PaddingStatesDoNotChangeLogits(Pooling pooling)
    {
        var head = new ClassificationHead(Hidden, Classes, new Rng(6), pooling);
        var hidden = new float[Batch * Tokens * Hidden];
        new Rng(7).FillGaussian(hidden, 1f);
        var before = new float[Batch * Classes];
        head.Forward(hidden, Lengths, Tokens, before);
        for (int b = 0; b < Batch; b++)
        {
            new Rng(8).FillGaussian(hidden.AsSpan((b * Tokens + Lengths[b]) * Hidden, (Tokens - Lengths[b]) * Hidden), 5f);
        }
        var after = new float[Batch * Classes];
        head.Forward(hidden, Lengths, Tokens, after);
        Assert.Equal(before, after);
    }

    [Theory]
    [InlineData(Pooling.Mean)]
    [InlineData(Pooling.LastToken)]
    public void PadTokensDoNotChangeModelLogits(Pooling pooling)
    {
        var config = TinyModels.Config(tied: false);
        var model = TinyModels.Random(config, 9);
        var graph = new TrainingGraph(model, TinyModels.RandomLora(model, 10), null, null, Batch, Tokens);
        var head = new ClassificationHead(config.HiddenSize, Classes, new Rng(11), pooling);
        var inputs = new int[Batch * Tokens];
        var rng = new Rng(12);
        float[] Logits(int pad)
        {
            for (int b = 0; b < Batch; b++)
            {
                for (int t = 0; t < Tokens; t++)
                {
                    inputs[b * Tokens + t] = t < Lengths[b] ? 3 + (b * 7 + t * 5) % 20 : pad;
                }
            }
            graph.ForwardHidden(inputs);
            var logits = new float[Batch * Classes];
            head.Forward(graph.Hidden.Span, Lengths, Tokens, logits);
            return logits;
        }
        float[] reference = Logits(0);
        for (int trial = 0; trial < 3; trial++)
        {
            Assert.Equal(reference, Logits(rng.NextInt(config.VocabSize)));
        }
    }

    [Fact]
    public void BadShapesAndLengthsAreRejected()
    {
        var head = new ClassificationHead(Hidden, Classes, new Rng(13), Pooling.Mean);
        var hidden = new float[Batch * Tokens * Hidden];
        var logits = new float[Batch * Classes];
        Assert.Throws<ArgumentOutOfRangeException>(() => head.Forward(hidden, [5, 0, 1, 1], Tokens, logits));
        Assert.Throws<ArgumentOutOfRangeException>(() => head.Forward(hidden, [6, 1, 1, 1], Tokens, logits));
        Assert.Throws<ArgumentException>(() => head.Forward(hidden, [1, 1, 1], Tokens, logits));
    }

    /// <summary>Every coordinate: (L(x+h) − L(x−h)) / 2h against the analytic gradient.</summary>
    private static void AssertMatches(Span<float> values, ReadOnlySpan<float> grads, Func<float> loss, string name)
    {
        const float h = 1e-2f;
        for (int i = 0; i < values.Length; i++)
        {
            float original = values[i];
            values[i] = original + h;
            double plus = loss();
            values[i] = original - h;
            double minus = loss();
            values[i] = original;
            double numeric = (plus - minus) / (2 * h);
            Assert.True(Math.Abs(numeric - grads[i]) <= 0.02 * Math.Abs(numeric) + 2e-4, $"{name}[{i}]: analytic {grads[i]:G6}, numeric {numeric:G6}");
        }
    }
}
