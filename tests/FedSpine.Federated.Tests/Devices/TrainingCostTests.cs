// The analytic cost model: LoRA step FLOPs against a hand count, scaling with batch, tokens, pruning and rank; memory equal
// to what LlamaWeights, LoraWeights, AdamWOptimizer and TrainingGraph really allocate; transfer bytes of the factors.
using FedSpine.Federated.Devices;
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Federated.Tests.Devices;

public class TrainingCostTests
{
    // hidden 8, ffn 12, one layer, 2 query heads sharing 1 kv head of size 4, vocab 10
    private static readonly LlamaConfig Hand = new()
    {
        HiddenSize = 8, IntermediateSize = 12, NumHiddenLayers = 1, NumAttentionHeads = 2, NumKeyValueHeads = 1, HeadDim = 4,
        VocabSize = 10, MaxPositionEmbeddings = 16,
    };

    // grouped-query heads, heads·headDim ≠ hidden, odd FFN width
    private static readonly LlamaConfig Tiny = new()
    {
        HiddenSize = 24, IntermediateSize = 37, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 8,
        VocabSize = 29, MaxPositionEmbeddings = 64,
    };

    private static int Ranks(int layer, LoraTarget t) => new[] { 3, 2, 1, 4, 2, 3, 2 }[((int)t + layer) % 7];

    [Fact]
    public void StepFlopsMatchAHandCount()
    {
        int RankOf(int _, LoraTarget t) => t switch { LoraTarget.Q => 2, LoraTarget.Down => 1, _ => 0 };
        const int batch = 2, tokens = 3, rows = batch * tokens;
        // multiply-adds per row of the frozen linears: q 8·8, k 4·8, v 4·8, o 8·8, gate 12·8, up 12·8, down 8·12
        const double baseMacs = 64 + 32 + 32 + 64 + 96 + 96 + 96;                // 480
        const double loraMacs = 2 * (8 + 8) + 1 * (12 + 8);                         // 52
        // causal attention: per sequence 3·4/2 = 6 (query, key) pairs, per head q·k and p·v of 4 MACs each
        const double attentionMacs = batch * 2 /* heads */ * 6 * 4 * 2;             // 192
        const double forward = 2 * (rows * (baseMacs + loraMacs) + attentionMacs);   // 6768
        const double backward = 2 * (rows * (baseMacs + 2 * loraMacs) + 2 * attentionMacs); // 7776
        var shapes = LlamaWeights.UniformShapes(Hand);
        Assert.Equal(6768, forward);
        Assert.Equal(forward, TrainingCost.ForwardFlops(Hand, shapes, RankOf, batch, tokens));
        Assert.Equal(forward + backward, TrainingCost.LoraStepFlops(Hand, shapes, RankOf, batch, tokens));
        // the LM head adds 2·vocab·hidden per row forward and the same for dHidden backward
        Assert.Equal(forward + backward + 2 * 2 * rows * 80, TrainingCost.LoraStepFlops(Hand, shapes, RankOf, batch, tokens, lmHead: true));
        Assert.Equal(2 * (rows * baseMacs + attentionMacs), TrainingCost.ForwardFlops(Hand, shapes, null, batch, tokens));
    }

    [Fact]
    public void FlopsScaleWithBatchAndTokensAndDropWhenPruned()
    {
        var full = LlamaWeights.UniformShapes(Tiny);
        double one = TrainingCost.LoraStepFlops(Tiny, full, Ranks, 1, 16);
        Assert.Equal(4 * one, TrainingCost.LoraStepFlops(Tiny, full, Ranks, 4, 16), 6);
        // linear terms double with the tokens, causal attention grows a little faster
        double twice = TrainingCost.LoraStepFlops(Tiny, full, Ranks, 1, 32);
        Assert.InRange(twice / one, 2.0 + 1e-9, 2.5);

        LayerShape[] pruned = [new(2, 1, 20), new(4, 2, 30)];
        Assert.True(TrainingCost.LoraStepFlops(Tiny, pruned, Ranks, 2, 16) < TrainingCost.LoraStepFlops(Tiny, full, Ranks, 2, 16));
        Assert.True(TrainingCost.ForwardFlops(Tiny, pruned, null, 2, 16) < TrainingCost.ForwardFlops(Tiny, full, null, 2, 16));
        // a larger rank costs more, and no adapters cost the least
        Assert.True(TrainingCost.LoraStepFlops(Tiny, full, (_, _) => 8, 2, 16) > TrainingCost.LoraStepFlops(Tiny, full, (_, _) => 2, 2, 16));
        Assert.True(TrainingCost.LoraStepFlops(Tiny, full, (_, _) => 0, 2, 16) < TrainingCost.LoraStepFlops(Tiny, full, (_, _) => 2, 2, 16));
        Assert.Throws<ArgumentException>(() => TrainingCost.LoraStepFlops(Tiny, [new(4, 2, 37)], Ranks, 1, 4));
        Assert.Throws<ArgumentException>(() => TrainingCost.LoraStepFlops(Tiny, full, Ranks, 0, 4));
    }

    public static TheoryData<int, int, int, int> MemoryCases => new()
    {
        { 0, 4, 2, 16 },  // full shapes
        { 1, 2, 1, 7 },   // pruned, one layer smaller than the other
        { 2, 1, 3, 5 },   // heavily pruned, no adapters on some modules
    };

    [Theory]
    [MemberData(nameof(MemoryCases))]
    public void MemoryEqualsWhatTrainingAllocates(int shapeCase, int rankScale, int batch, int tokens)
    {
        LayerShape[] shapes = shapeCase switch
        {
            0 => LlamaWeights.UniformShapes(Tiny),
            1 => [new(4, 2, 37), new(2, 1, 20)],
            _ => [new(2, 1, 5), new(2, 1, 9)],
        };
        int RankOf(int l, LoraTarget t) => shapeCase == 2 && t is LoraTarget.K or LoraTarget.Up ? 0 : Math.Min(4, Ranks(l, t) * rankScale / 2 + 1);

        var model = LlamaWeights.Allocate(Tiny, shapes);
        var lora = LoraWeights.Allocate(Tiny, shapes, RankOf, alpha: 8);
        var grads = lora.ZerosLike();
        var optimizer = new AdamWOptimizer(ParameterSet.FromLora(lora, grads), new AdamWSettings());
        var graph = new TrainingGraph(model, lora, null, grads, batch, tokens);

        Assert.Equal(graph.ActivationBytes, TrainingGraph.PlannedActivationBytes(Tiny, shapes, RankOf, batch, tokens));
        long loraBytes = TrainingCost.LoraParameterBytes(Tiny, shapes, RankOf);
        Assert.Equal(optimizer.StateBytes, 2 * loraBytes); // the moments share the factors' padded layout
        Assert.True(loraBytes >= 4 * lora.ParameterCount);
        long expected = LlamaWeights.Plan(Tiny, shapes).TotalBytes // frozen base
            + loraBytes + loraBytes                               // factors + gradients
            + optimizer.StateBytes                                // AdamW m and v
            + graph.ActivationBytes;
        Assert.Equal(expected, TrainingCost.LoraTrainingMemoryBytes(Tiny, shapes, RankOf, batch, tokens));
    }

    [Fact]
    public void PlannedActivationsWithoutAdaptersMatchAFrozenGraph()
    {
        LayerShape[] shapes = [new(4, 2, 11), new(2, 2, 37)];
        var model = LlamaWeights.Allocate(Tiny, shapes);
        var graph = new TrainingGraph(model, null, null, null, 2, 6);
        Assert.Equal(graph.ActivationBytes, TrainingGraph.PlannedActivationBytes(Tiny, shapes, null, 2, 6));
        Assert.True(TrainingGraph.PlannedActivationBytes(Tiny, shapes, null, 2, 12) > graph.ActivationBytes);
    }

    [Fact]
    public void MemoryGrowsWithBatchAndShrinksWhenPruned()
    {
        var full = LlamaWeights.UniformShapes(Tiny);
        LayerShape[] pruned = [new(2, 1, 20), new(2, 1, 20)];
        Assert.True(TrainingCost.LoraTrainingMemoryBytes(Tiny, full, Ranks, 8, 16) > TrainingCost.LoraTrainingMemoryBytes(Tiny, full, Ranks, 2, 16));
        Assert.True(TrainingCost.LoraTrainingMemoryBytes(Tiny, pruned, Ranks, 2, 16) < TrainingCost.LoraTrainingMemoryBytes(Tiny, full, Ranks, 2, 16));
    }

    [Fact]
    public void TransferBytesAreTheFactorsInFloat32()
    {
        var shapes = LlamaWeights.UniformShapes(Tiny);
        var lora = LoraWeights.Allocate(Tiny, shapes, Ranks, alpha: 8);
        Assert.Equal(4 * lora.ParameterCount, TrainingCost.LoraFactorBytes(Tiny, shapes, Ranks));
        Assert.Equal(4 * lora.ParameterCount + TrainingCost.DownloadMetadataBytes, TrainingCost.LoraDownloadBytes(Tiny, shapes, Ranks));
        long masks = 2 * ((4 + 2 + 37 + 7) / 8);
        Assert.Equal(4 * lora.ParameterCount + masks + TrainingCost.UploadMetadataBytes, TrainingCost.LoraUploadBytes(Tiny, shapes, Ranks));
        Assert.True(TrainingCost.LoraUploadBytes(Tiny, shapes, (_, _) => 4) > TrainingCost.LoraUploadBytes(Tiny, shapes, (_, _) => 2));
        var e = Assert.Throws<ArgumentException>(() => TrainingCost.LoraFactorBytes(Tiny, [new(1, 1, 37), new(4, 2, 37)], (_, _) => 9));
        Assert.Contains("exceeds", e.Message);
    }
}
