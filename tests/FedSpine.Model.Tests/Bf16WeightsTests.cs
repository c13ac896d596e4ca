// Frozen weights held in bf16 (LlamaWeights.HoldFrozenInBf16) compute what fp32 weights rounded to bf16 compute: logits of
// the training graph and of the cached decoder, LoRA gradients; they hold half the bytes; full training is refused.
using FedSpine.Model.Inference;
using FedSpine.Model.Lora;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Model.Tests;

public class Bf16WeightsTests
{
    public static TheoryData<bool, bool> Variants => new() { { true, false }, { false, false }, { true, true } };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Logits_and_LoRA_gradients_equal_those_of_fp32_weights_rounded_to_bf16(bool tied, bool qwen2)
    {
        var config = TinyModels.Config(tied) with { VocabSize = 2600 }; // more than two head chunks of 1024 rows
        config = qwen2 ? config with { ModelType = "qwen2", Architectures = ["Qwen2ForCausalLM"] } : config;
        var fp32 = TinyModels.Random(config, seed: 4);
        var rounded = RoundedToBf16(fp32);
        var held = fp32.HoldFrozenInBf16();
        Assert.True(held.HoldsBf16);
        var (inputs, targets) = TinyModels.Batch(2, 9, config.VocabSize, seed: 8);

        var lora = TinyModels.RandomLora(fp32, seed: 5);
        var (expectedLoss, expectedLogits, expectedGrads) = LoraStep(rounded, lora, inputs, targets);
        var (loss, logits, grads) = LoraStep(held, lora, inputs, targets);
        Assert.Equal(expectedLoss, loss, 5);
        AssertClose(expectedLogits, logits, 1e-5f);
        foreach (var ((_, _, module, expected), (_, _, _, actual)) in expectedGrads.Adapters.Zip(grads.Adapters))
        {
            AssertClose(expected.A.Span.ToArray(), actual.A.Span.ToArray(), 1e-5f, module);
            AssertClose(expected.B.Span.ToArray(), actual.B.Span.ToArray(), 1e-5f, module);
        }
        // the logits differ from unrounded fp32 ones (the test would not notice a model that ignored the bf16 copy otherwise)
        Assert.True(MaxDifference(LoraStep(fp32, lora, inputs, targets).Logits, logits) > 1e-4f);

        var ours = new CachedDecoder(held, lora);
        var reference = new CachedDecoder(rounded, lora);
        for (int pos = 0; pos < 9; pos++)
        {
            AssertClose(reference.Step(inputs[pos], pos).ToArray(), ours.Step(inputs[pos], pos), 1e-5f, $"decoder position {pos}");
        }
    }

    [Fact]
    public void Frozen_weights_hold_half_the_bytes()
    {
        var config = TinyModels.Config(tied: true) with { HiddenSize = 128, IntermediateSize = 344, NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 32, VocabSize = 1000 };
        var fp32 = TinyModels.Random(config, seed: 1);
        var held = fp32.HoldFrozenInBf16();

        long linears = fp32.Layers.Sum(l => (long)(l.Wq.Length + l.Wk.Length + l.Wv.Length + l.Wo.Length + l.Gate.Length + l.Up.Length + l.Down.Length));
        long embedding = fp32.TokenEmbedding.Length;
        long norms = fp32.ParameterCount - linears - embedding;
        Assert.Equal(4 * fp32.ParameterCount, fp32.WeightBytes);
        Assert.Equal(2 * (linears + embedding) + 4 * norms, held.WeightBytes);
        Assert.InRange((double)held.WeightBytes / fp32.WeightBytes, 0.5, 0.505);
        Assert.Equal(fp32.ParameterCount, held.ParameterCount);
        // the fp32 scratch is one layer's linears and one chunk of the head, not the model
        Assert.Equal(4L * (linears / config.NumHiddenLayers + 1000 * 128), held.ScratchBytes);
    }

    [Fact]
    public void Full_training_and_listing_tensors_are_refused()
    {
        var held = TinyModels.Random(TinyModels.Config(tied: false), seed: 2).HoldFrozenInBf16();
        var grads = LlamaWeights.Allocate(held.Config);
        var e = Assert.Throws<ArgumentException>(() => new TrainingGraph(held, null, grads, null, 1, 4));
        Assert.Contains("must then be fp32", e.Message, StringComparison.Ordinal);
        var listing = Assert.Throws<InvalidOperationException>(() => held.NamedTensors.ToList());
        Assert.Contains("held in bf16", listing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loading_a_folder_tensor_by_tensor_into_bf16_equals_holding_the_loaded_fp32_weights()
    {
        var config = TinyModels.Config(tied: false);
        var fp32 = TinyModels.Random(config, seed: 6);
        using var temp = new TempFolder();
        string folder = temp.File("hf");
        FedSpine.Model.Formats.HfModelFolder.Save(folder, fp32);
        var streamed = FedSpine.Model.Formats.HfModelFolder.Load(folder, bf16: true).Weights;
        var held = fp32.HoldFrozenInBf16();
        Assert.True(streamed.HoldsBf16);
        Assert.Equal(held.WeightBytes, streamed.WeightBytes);
        var (inputs, targets) = TinyModels.Batch(1, 6, config.VocabSize, seed: 2);
        var lora = TinyModels.RandomLora(fp32, seed: 3);
        Assert.Equal(LoraStep(held, lora, inputs, targets, 1, 6).Logits, LoraStep(streamed, lora, inputs, targets, 1, 6).Logits);
    }

    [Fact]
    public void Random_preset_weights_drawn_into_bf16_equal_the_fp32_draw_held_in_bf16()
    {
        var config = ModelPresets.Stories260K.Config;
        var fp32 = LlamaWeights.Allocate(config);
        ModelPresets.RandomInitialize(fp32, new Rng(9));
        var direct = ModelPresets.RandomFrozenBf16(config, new Rng(9));
        var (inputs, targets) = TinyModels.Batch(1, 8, config.VocabSize, seed: 1);
        var lora = TinyModels.RandomLora(fp32, seed: 3);
        Assert.Equal(LoraStep(fp32.HoldFrozenInBf16(), lora, inputs, targets, 1, 8).Logits, LoraStep(direct, lora, inputs, targets, 1, 8).Logits);
    }

    /// <summary>fp32 weights whose linear, embedding and head tensors are rounded to bf16 values (norms and biases kept).</summary>
    private static LlamaWeights RoundedToBf16(LlamaWeights model)
    {
        var copy = model.Clone();
        foreach (var (name, tensor) in copy.NamedTensors)
        {
            if (name.EndsWith("proj.weight", StringComparison.Ordinal) || name is "model.embed_tokens.weight" or "lm_head.weight")
            {
                var s = tensor.Span;
                for (int i = 0; i < s.Length; i++)
                {
                    s[i] = Bf16.ToFloat(Bf16.FromFloat(s[i]));
                }
            }
        }
        return copy;
    }

    private static (float Loss, float[] Logits, LoraWeights Grads) LoraStep(LlamaWeights model, LoraWeights lora, int[] inputs, int[] targets,
        int batch = 2, int tokens = 9)
    {
        var grads = lora.ZerosLike();
        using var graph = new TrainingGraph(model, lora, null, grads, batch, tokens);
        float loss = graph.Loss(inputs, targets);
        float[] logits = graph.Logits.Span.ToArray();
        graph.ForwardBackward(inputs, targets);
        return (loss, logits, grads);
    }

    private static float MaxDifference(float[] a, float[] b) => a.Zip(b).Max(p => Math.Abs(p.First - p.Second));

    private static void AssertClose(float[] expected, float[] actual, float tolerance, string what = "")
    {
        Assert.Equal(expected.Length, actual.Length);
        float worst = MaxDifference(expected, actual);
        Assert.True(worst <= tolerance, $"{what}: max difference {worst} > {tolerance}");
    }
}
