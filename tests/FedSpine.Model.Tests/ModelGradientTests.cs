// Whole-model gradients (full and LoRA) against central finite differences of the loss, computed in float32 with a
// step large enough to beat rounding; each sampled coordinate must agree within a few percent.
using FedSpine.Model.Lora;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Model.Tests;

public class ModelGradientTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FullGradientsMatchFiniteDifferences(bool tied)
    {
        var config = TinyModels.Config(tied);
        var model = TinyModels.Random(config, 1);
        var grads = LlamaWeights.Allocate(config);
        var graph = new TrainingGraph(model, null, grads, null, batch: 2, tokens: 6);
        var (inputs, targets) = TinyModels.Batch(2, 6, config.VocabSize, 2);
        graph.ForwardBackward(inputs, targets);
        var set = ParameterSet.FromModel(model, grads);
        CheckSampled(set, () => graph.Loss(inputs, targets), seed: 3);
    }

    [Fact]
    public void LoraGradientsMatchFiniteDifferences()
    {
        var config = TinyModels.Config(false);
        var model = TinyModels.Random(config, 4);
        var lora = TinyModels.RandomLora(model, 5);
        var grads = lora.ZerosLike();
        var graph = new TrainingGraph(model, lora, null, grads, batch: 2, tokens: 5);
        var (inputs, targets) = TinyModels.Batch(2, 5, config.VocabSize, 6);
        graph.ForwardBackward(inputs, targets);
        CheckSampled(ParameterSet.FromLora(lora, grads), () => graph.Loss(inputs, targets), seed: 7);
    }

    [Fact]
    public void FrozenBaseReceivesNoGradientWhileLoraTrains()
    {
        var config = TinyModels.Config(false);
        var model = TinyModels.Random(config, 8);
        var before = model.NamedTensors.Select(p => p.Value.Span.ToArray()).ToList();
        var lora = TinyModels.RandomLora(model, 9);
        var grads = lora.ZerosLike();
        var graph = new TrainingGraph(model, lora, null, grads, 1, 4);
        var (inputs, targets) = TinyModels.Batch(1, 4, config.VocabSize, 10);
        graph.ForwardBackward(inputs, targets);
        var after = model.NamedTensors.Select(p => p.Value.Span.ToArray()).ToList();
        for (int i = 0; i < before.Count; i++)
        {
            Assert.Equal(before[i], after[i]);
        }
        Assert.True(ParameterSet.FromLora(lora, grads).GradientNorm() > 1e-3);
    }

    /// <summary>For a sample of coordinates per tensor, (L(w+h) − L(w−h)) / 2h must match the analytic gradient.</summary>
    private static void CheckSampled(ParameterSet set, Func<float> loss, int seed)
    {
        var rng = new Rng((ulong)seed);
        const float h = 1e-2f;
        int checkedCount = 0;
        foreach (var (name, value, grad) in set.Items)
        {
            var v = value.Span;
            var g = grad.Span;
            double gradScale = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(g) / g.Length) + 1e-4;
            for (int sample = 0; sample < 4; sample++)
            {
                int i = rng.NextInt(v.Length);
                float original = v[i];
                v[i] = original + h;
                double plus = loss();
                v[i] = original - h;
                double minus = loss();
                v[i] = original;
                double numeric = (plus - minus) / (2 * h);
                double error = Math.Abs(numeric - g[i]);
                Assert.True(error <= 0.03 * Math.Abs(numeric) + 0.02 * gradScale + 2e-4,
                    $"{name}[{i}]: analytic {g[i]:G6}, numeric {numeric:G6}");
                checkedCount++;
            }
        }
        Assert.True(checkedCount >= 8);
    }
}
