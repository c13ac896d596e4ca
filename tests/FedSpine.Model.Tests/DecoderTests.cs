// Token-by-token decoding with the KV cache computes the same logits as the training forward over the whole sequence.
using FedSpine.Model.Inference;
using FedSpine.Model.Training;

namespace FedSpine.Model.Tests;

public class DecoderTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CachedDecodingMatchesFullForward(bool tied)
    {
        var config = TinyModels.Config(tied);
        var model = TinyModels.Random(config, 21);
        var (inputs, targets) = TinyModels.Batch(1, 9, config.VocabSize, 22);
        var graph = new TrainingGraph(model, null, null, null, 1, 9);
        graph.Loss(inputs, targets);
        float[] full = graph.Logits.Span.ToArray();
        var decoder = new CachedDecoder(model, null, 16);
        for (int pos = 0; pos < 9; pos++)
        {
            float[] step = decoder.Step(inputs[pos], pos).ToArray();
            LoraMergeTests.AssertClose(full.AsSpan(pos * config.VocabSize, config.VocabSize).ToArray(), step, 1e-4f);
        }
    }

    [Fact]
    public void PositionsBeyondTheCacheAreRejected()
    {
        var model = TinyModels.Random(TinyModels.Config(false), 23);
        var decoder = new CachedDecoder(model, null, 2);
        decoder.Step(1, 0);
        decoder.Step(2, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => decoder.Step(3, 2));
    }
}
