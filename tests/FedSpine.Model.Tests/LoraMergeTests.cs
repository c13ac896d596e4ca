// A merged model (W + (α/r)·B·A) gives the same logits as base + adapter, in training forward and in decoding;
// a fresh adapter (B = 0) changes nothing.
using FedSpine.Model.Inference;
using FedSpine.Model.Lora;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Model.Tests;

public class LoraMergeTests
{
    [Fact]
    public void MergedWeightsGiveTheSameLogitsAsTheAdapter()
    {
        var config = TinyModels.Config(false);
        var model = TinyModels.Random(config, 11);
        var lora = TinyModels.RandomLora(model, 12);
        var (inputs, targets) = TinyModels.Batch(2, 7, config.VocabSize, 13);

        var withAdapter = new TrainingGraph(model, lora, null, null, 2, 7);
        withAdapter.Loss(inputs, targets);
        float[] expected = withAdapter.Logits.Span.ToArray();

        var merged = model.Clone();
        lora.MergeInto(merged);
        var plain = new TrainingGraph(merged, null, null, null, 2, 7);
        plain.Loss(inputs, targets);
        AssertClose(expected, plain.Logits.Span.ToArray(), 1e-4f);

        var decoder = new CachedDecoder(model, lora, 7);
        var mergedDecoder = new CachedDecoder(merged, null, 7);
        for (int pos = 0; pos < 7; pos++)
        {
            float[] a = decoder.Step(inputs[pos], pos).ToArray();
            float[] b = mergedDecoder.Step(inputs[pos], pos).ToArray();
            AssertClose(a, b, 1e-4f);
        }
    }

    [Fact]
    public void FreshAdapterLeavesTheModelUnchanged()
    {
        var config = TinyModels.Config(true);
        var model = TinyModels.Random(config, 14);
        var lora = LoraWeights.Allocate(model, LoraTargets.All, 4, 8f);
        lora.InitializeForTraining(new Rng(15));
        var (inputs, targets) = TinyModels.Batch(1, 5, config.VocabSize, 16);
        var a = new TrainingGraph(model, lora, null, null, 1, 5);
        var b = new TrainingGraph(model, null, null, null, 1, 5);
        Assert.Equal(b.Loss(inputs, targets), a.Loss(inputs, targets));
    }

    internal static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = expected.Max(MathF.Abs) + 1e-6f;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= tolerance * scale, $"[{i}] expected {expected[i]}, got {actual[i]}");
        }
    }
}
