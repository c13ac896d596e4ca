// The strongest check of physical removal: a sliced model (and sliced adapters) computes the same logits as the
// unpruned model with the removed units' weights zeroed, for MHA and GQA, both GQA rules, per-layer ratios and exclusions,
// and qwen2 models whose q/k/v biases must follow their heads.
using FedSpine.Model;
using FedSpine.Model.Inference;

namespace FedSpine.Pruning.Tests;

public class SlicingEquivalenceTests
{
    private const float Tolerance = 1e-5f;

    public static TheoryData<string> Cases => ["mha", "mha-lora", "mha-tied-lora", "gqa-whole-groups-lora", "gqa-same-count-lora",
        "gqa-forced-whole-groups", "gqa-per-layer-excluded-lora", "qwen2-biases-whole-groups-lora", "qwen2-biases-same-count-lora"];

    [Theory]
    [MemberData(nameof(Cases))]
    public void SlicedModelMatchesZeroedModel(string name)
    {
        var (config, ratio, options, withLora, expected) = Case(name);
        var model = TinyModels.Random(config, seed: 11);
        var lora = withLora ? TinyModels.RandomLora(model, seed: 12) : null;
        var importance = TinyModels.RandomImportance(model.LayerShapes, seed: 13);

        var pruned = StructuredPruner.Prune(model, importance, ratio, options, lora);

        Assert.Equal(expected, pruned.Weights.LayerShapes);
        Assert.True(pruned.Weights.ParameterCount < model.ParameterCount, "nothing was removed");
        var zeroed = model.Clone();
        var zeroedLora = lora is null ? null : TinyModels.Copy(lora);
        TinyModels.ZeroRemoved(zeroed, zeroedLora, pruned.Mask);
        var (inputs, _) = TinyModels.Batch(2, 7, config.VocabSize, seed: 14);
        var reference = TinyModels.Logits(zeroed, zeroedLora, inputs, batch: 2);
        var actual = TinyModels.Logits(pruned.Weights, pruned.Lora, inputs, batch: 2);
        TinyModels.AssertClose(reference, actual, Tolerance);
        // The dense model is a different function: the comparison is not vacuous.
        var dense = TinyModels.Logits(model, lora, inputs, batch: 2);
        Assert.True(dense.Zip(reference).Max(p => Math.Abs(p.First - p.Second)) > 1e-3f, "zeroing the removed units changed nothing");
    }

    [Fact]
    public void SuccessivePrunesEqualOneCutAndTheZeroedModel()
    {
        var model = TinyModels.Random(TinyModels.Gqa, seed: 21);
        var lora = TinyModels.RandomLora(model, seed: 22);
        var importance = TinyModels.RandomImportance(model.LayerShapes, seed: 23);
        var full = PruningMask.Full(model.LayerShapes);
        var options = new PruningOptions();

        var first = MaskSelector.Select(full, importance, 1.0 / 3, options);    // 4 of 6 heads per layer, both KV heads stay
        var firstMap = SliceMap.Create(model.Config, full, first);
        var model1 = ModelSlicer.Slice(model, firstMap);
        var lora1 = ModelSlicer.Slice(lora, firstMap);
        var second = MaskSelector.Select(first, importance, 2.0 / 3, options);  // then 2 heads: one per KV group
        var secondMap = SliceMap.Create(model1.Config, first, second);
        var model2 = ModelSlicer.Slice(model1, secondMap);
        var lora2 = ModelSlicer.Slice(lora1, secondMap);

        Assert.True(second.IsSubsetOf(first));
        Assert.All(model2.LayerShapes, s => Assert.Equal(new LayerShape(2, 2, 12), s));
        var oneCut = ModelSlicer.Slice(model, second);
        foreach (var (tensorName, tensor) in oneCut.NamedTensors)
        {
            Assert.Equal(tensor.Span.ToArray(), model2.Find(tensorName)!.Span.ToArray());
        }
        var zeroed = model.Clone();
        var zeroedLora = TinyModels.Copy(lora);
        TinyModels.ZeroRemoved(zeroed, zeroedLora, second);
        var (inputs, _) = TinyModels.Batch(2, 6, model.Config.VocabSize, seed: 24);
        TinyModels.AssertClose(TinyModels.Logits(zeroed, zeroedLora, inputs, 2), TinyModels.Logits(model2, lora2, inputs, 2), Tolerance);
    }

    [Fact]
    public void PrunedModelDecodesWithASmallerKvCacheAndTheSameLogits()
    {
        var model = TinyModels.Random(TinyModels.Gqa, seed: 25);
        var pruned = StructuredPruner.Prune(model, TinyModels.RandomImportance(model.LayerShapes, seed: 26), 0.5,
            PruningOptions.FirstAndLastExcluded(3), TinyModels.RandomLora(model, seed: 27));
        var (inputs, _) = TinyModels.Batch(1, 10, model.Config.VocabSize, seed: 28);
        var batchLogits = TinyModels.Logits(pruned.Weights, pruned.Lora, inputs, batch: 1);
        var decoder = new CachedDecoder(pruned.Weights, pruned.Lora, capacity: 10);
        var stepLogits = inputs.SelectMany((token, position) => decoder.Step(token, position).ToArray()).ToArray();
        TinyModels.AssertClose(batchLogits, stepLogits, 1e-4f);
        Assert.Equal(new KvCache(model, 10).Bytes * 5 / 6, decoder.Cache.Bytes);   // middle layer: 1 of 2 KV heads
    }

    private static (LlamaConfig Config, double Ratio, PruningOptions Options, bool Lora, LayerShape[] Expected) Case(string name)
    {
        LayerShape[] Uniform(int heads, int kv, int ffn) => Enumerable.Repeat(new LayerShape(heads, kv, ffn), 3).ToArray();
        return name switch
        {
            "mha" => (TinyModels.Mha, 0.5, new(), false, Uniform(2, 2, 19)),
            "mha-lora" => (TinyModels.Mha, 0.5, new(), true, Uniform(2, 2, 19)),
            "mha-tied-lora" => (TinyModels.Config(4, 4, tied: true), 0.25, new(), true, Uniform(3, 3, 28)),
            // 6 heads in 2 groups of 3; keeping 3 is reachable only by dropping a whole group.
            "gqa-whole-groups-lora" => (TinyModels.Gqa, 0.5, new(), true, Uniform(3, 1, 19)),
            // keeping 4 is 2 per group, both KV heads stay.
            "gqa-same-count-lora" => (TinyModels.Gqa, 1.0 / 3, new(), true, Uniform(4, 2, 25)),
            "gqa-forced-whole-groups" => (TinyModels.Gqa, 1.0 / 3, new() { Gqa = GqaRule.WholeGroups }, false, Uniform(3, 1, 25)),
            "gqa-per-layer-excluded-lora" => (TinyModels.Gqa, 0.5,
                new() { ExcludedLayers = [0], LayerRatioScales = new Dictionary<int, double> { [1] = 2.0 / 3 } }, true,
                [new LayerShape(6, 2, 37), new LayerShape(4, 2, 25), new LayerShape(3, 1, 19)]),
            // qwen2: q/k/v biases are sliced with their heads (a zeroed head's bias is harmless: its o columns are zero)
            "qwen2-biases-whole-groups-lora" => (TinyModels.Gqa with { ModelType = "qwen2" }, 0.5, new(), true, Uniform(3, 1, 19)),
            "qwen2-biases-same-count-lora" => (TinyModels.Gqa with { ModelType = "qwen2" }, 1.0 / 3, new(), true, Uniform(4, 2, 25)),
            _ => throw new ArgumentException(name),
        };
    }
}
