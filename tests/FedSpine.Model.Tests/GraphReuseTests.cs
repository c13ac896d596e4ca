// A disposed TrainingGraph hands its activation block to the next graph built on the same thread: that graph computes
// bit for bit what a graph on fresh memory computes, and the disposed graph refuses to run.
using System.Runtime.InteropServices;
using FedSpine.Model.Lora;
using FedSpine.Model.Training;

namespace FedSpine.Model.Tests;

public sealed class GraphReuseTests
{
    [Fact]
    public void A_graph_on_a_used_block_computes_what_a_fresh_graph_does()
    {
        var config = TinyModels.Config(tied: false);
        var model = TinyModels.Random(config, 1);
        var lora = TinyModels.RandomLora(model, 2);

        var (bigInputs, bigTargets) = TinyModels.Batch(4, 9, config.VocabSize, 3);
        var used = new TrainingGraph(model, lora, null, lora.ZerosLike(), 4, 9);
        used.ForwardBackward(bigInputs, bigTargets);   // leaves activations and scratch dirty
        float[] block = used.Hidden.Buffer;
        used.Dispose();
        Assert.Throws<ObjectDisposedException>(() => used.Loss(bigInputs, bigTargets));

        var (inputs, targets) = TinyModels.Batch(3, 7, config.VocabSize, 4);
        var reusedGrads = lora.ZerosLike();
        using var reused = new TrainingGraph(model, lora, null, reusedGrads, 3, 7);
        var freshGrads = lora.ZerosLike();
        using var fresh = new TrainingGraph(model, lora, null, freshGrads, 3, 7);   // the spare is taken: new memory
        Assert.Same(block, reused.Hidden.Buffer);
        Assert.NotSame(block, fresh.Hidden.Buffer);

        Assert.Equal(BitConverter.SingleToInt32Bits(fresh.ForwardBackward(inputs, targets)),
                     BitConverter.SingleToInt32Bits(reused.ForwardBackward(inputs, targets)));
        Assert.Equal(Bytes(freshGrads), Bytes(reusedGrads));
        Assert.Equal(BitConverter.SingleToInt32Bits(fresh.Loss(inputs, targets)), BitConverter.SingleToInt32Bits(reused.Loss(inputs, targets)));
        Assert.Equal(MemoryMarshal.AsBytes(fresh.Hidden.Span).ToArray(), MemoryMarshal.AsBytes(reused.Hidden.Span).ToArray());
    }

    private static byte[] Bytes(LoraWeights grads) =>
        grads.Adapters.SelectMany(a => MemoryMarshal.AsBytes(a.Adapter.A.Span).ToArray().Concat(MemoryMarshal.AsBytes(a.Adapter.B.Span).ToArray())).ToArray();
}
