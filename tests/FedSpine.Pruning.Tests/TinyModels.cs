// Small random LLaMA models, adapters, token batches and the "zeroed instead of removed" reference for pruning tests.
// Seeded, so every run sees the same numbers; shapes are awkward on purpose (heads·headDim ≠ hidden, odd FFN width).
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Pruning.Tests;

internal static class TinyModels
{
    /// <summary>Grouped-query attention: 6 query heads in 2 KV groups of 3.</summary>
    public static LlamaConfig Gqa { get; } = Config(heads: 6, kvHeads: 2);

    /// <summary>Plain multi-head attention: 4 heads, 4 KV heads.</summary>
    public static LlamaConfig Mha { get; } = Config(heads: 4, kvHeads: 4);

    public static LlamaConfig Config(int heads, int kvHeads, int layers = 3, bool tied = false) => new()
    {
        HiddenSize = 32,
        IntermediateSize = 37,
        NumHiddenLayers = layers,
        NumAttentionHeads = heads,
        NumKeyValueHeads = kvHeads,
        HeadDim = 8,
        VocabSize = 41,
        MaxPositionEmbeddings = 64,
        TieWordEmbeddings = tied,
    };

    public static LlamaWeights Random(LlamaConfig config, ulong seed) => RandomModels.Weights(config, seed);

    public static LoraWeights RandomLora(LlamaWeights model, ulong seed) => RandomModels.Lora(model, seed);

    /// <summary>Importance with random scores (so masks pick scattered units, not just the first ones).</summary>
    public static ImportanceTracker RandomImportance(IReadOnlyList<LayerShape> shapes, ulong seed)
    {
        var tracker = new ImportanceTracker(shapes);
        var rng = new Rng(seed);
        var scores = new UnitScores(shapes.Select(s => Enumerable.Range(0, s.Heads).Select(_ => rng.NextFloat()).ToArray()).ToArray(),
            shapes.Select(s => Enumerable.Range(0, s.FfnChannels).Select(_ => rng.NextFloat()).ToArray()).ToArray());
        tracker.Update(scores, PruningMask.Full(shapes));
        return tracker;
    }

    public static (int[] Inputs, int[] Targets) Batch(int batch, int tokens, int vocab, ulong seed)
    {
        var rng = new Rng(seed);
        var inputs = new int[batch * tokens];
        var targets = new int[batch * tokens];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = rng.NextInt(vocab);
            targets[i] = rng.NextInt(vocab);
        }
        return (inputs, targets);
    }

    /// <summary>Logits [batch·tokens, vocab] of a forward pass.</summary>
    public static float[] Logits(LlamaWeights model, LoraWeights? lora, int[] inputs, int batch)
    {
        var graph = new TrainingGraph(model, lora, null, null, batch, inputs.Length / batch);
        graph.Loss(inputs, inputs);
        return graph.Logits.Span.ToArray();
    }

    public static LoraWeights Copy(LoraWeights lora)
    {
        var copy = lora.ZerosLike();
        foreach (var (l, t, _, a) in lora.Adapters)
        {
            a.A.Span.CopyTo(copy[l, t]!.A.Span);
            a.B.Span.CopyTo(copy[l, t]!.B.Span);
        }
        return copy;
    }

    /// <summary>The unpruned model with every unit the mask removes zeroed instead: q/k/v rows and o columns of removed
    /// heads, gate/up rows and down columns of removed channels (and the matching adapter B rows / A columns).</summary>
    public static void ZeroRemoved(LlamaWeights model, LoraWeights? lora, PruningMask mask)
    {
        int hd = model.Config.HeadDim;
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var m = mask.Layers[l];
            var w = model.Layers[l];
            int[] heads = Removed(m.OriginalHeads, m.Heads), kv = Removed(m.OriginalKvHeads, m.KvHeads), channels = Removed(m.OriginalChannels, m.Channels);
            ZeroRows(w.Wq, heads, hd);
            ZeroRows(w.Wk, kv, hd);
            ZeroRows(w.Wv, kv, hd);
            ZeroColumns(w.Wo, heads, hd);
            ZeroRows(w.Gate, channels, 1);
            ZeroRows(w.Up, channels, 1);
            ZeroColumns(w.Down, channels, 1);
            if (lora is null)
            {
                continue;
            }
            ZeroRows(lora[l, LoraTarget.Q]?.B, heads, hd);
            ZeroRows(lora[l, LoraTarget.K]?.B, kv, hd);
            ZeroRows(lora[l, LoraTarget.V]?.B, kv, hd);
            ZeroColumns(lora[l, LoraTarget.O]?.A, heads, hd);
            ZeroRows(lora[l, LoraTarget.Gate]?.B, channels, 1);
            ZeroRows(lora[l, LoraTarget.Up]?.B, channels, 1);
            ZeroColumns(lora[l, LoraTarget.Down]?.A, channels, 1);
        }
    }

    public static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            float allowed = tolerance * Math.Max(1f, Math.Abs(expected[i]));
            Assert.True(Math.Abs(expected[i] - actual[i]) <= allowed, $"element {i}: expected {expected[i]}, got {actual[i]} (tolerance {allowed})");
        }
    }

    private static int[] Removed(int count, IReadOnlyList<int> kept) => Enumerable.Range(0, count).Except(kept).ToArray();

    private static void ZeroRows(Tensor? t, int[] blocks, int block)
    {
        if (t is null)
        {
            return;
        }
        int cols = t.Dim(1);
        foreach (int b in blocks)
        {
            t.Span.Slice(b * block * cols, block * cols).Clear();
        }
    }

    private static void ZeroColumns(Tensor? t, int[] blocks, int block)
    {
        if (t is null)
        {
            return;
        }
        int rows = t.Dim(0), cols = t.Dim(1);
        for (int r = 0; r < rows; r++)
        {
            foreach (int b in blocks)
            {
                t.Span.Slice(r * cols + b * block, block).Clear();
            }
        }
    }
}
