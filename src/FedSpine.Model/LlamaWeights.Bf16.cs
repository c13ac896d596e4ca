// Frozen weights held in bf16 (HoldFrozenInBf16) and the accessors the forward passes use so that either storage works:
// PrepareLayer before a layer's products, EmbeddingRow, HeadForward/HeadBackward. Computation stays fp32.
using FedSpine.Tensors;

namespace FedSpine.Model;

/// <summary>Writes the values of the tensor <paramref name="name"/> (of <paramref name="shape"/>) into destination.</summary>
public delegate void TensorFill(string name, int[] shape, Span<float> destination);

public sealed partial class LlamaWeights
{
    private Bf16FrozenWeights? _bf16;

    /// <summary>True when the linear weights and embeddings are held in bf16 (a frozen base; see HoldFrozenInBf16).</summary>
    public bool HoldsBf16 => _bf16 is not null;

    /// <summary>Bytes the weights hold: fp32 tensors, or the bf16 copies plus the small fp32 tensors (norms, biases).
    /// The fp32 scratch of a bf16 model is not counted (see ScratchBytes).</summary>
    public long WeightBytes => _bf16 is null
        ? 4L * _byName.Values.Sum(t => (long)t.Length)
        : _bf16.Bytes + 4L * _byName.Values.Where(t => t.Buffer != _bf16.LayerScratch).Sum(t => (long)t.Length);

    /// <summary>Bytes of the fp32 scratch a bf16 model widens into (one layer's linears and one chunk of the head).</summary>
    public long ScratchBytes => _bf16?.ScratchBytes ?? 0;

    /// <summary>A copy whose large tensors (layer linears, embedding, untied head) are held as bf16 (rounded to nearest
    /// even) and widened to fp32 as they are used: about half the memory, for a base that is not trained (LoRA,
    /// generation, evaluation). Its layer tensors are views of one shared scratch that PrepareLayer fills, and its
    /// embedding and head tensors are empty: only code that goes through the accessors here may read it.</summary>
    public LlamaWeights HoldFrozenInBf16() =>
        _bf16 is not null ? this : FrozenBf16(Config, LayerShapes, (name, _, destination) => _byName[name].Span.CopyTo(destination));

    /// <summary>Weights held as HoldFrozenInBf16 holds them, each tensor asked of <paramref name="fill"/> in Plan order
    /// (so no fp32 copy of the whole model exists: a loader reads tensor by tensor, a random initialiser draws in order).</summary>
    public static LlamaWeights FrozenBf16(LlamaConfig config, IReadOnlyList<LayerShape> shapes, TensorFill fill)
    {
        var planned = Plan(config, shapes).Planned;
        var small = new TensorArena();
        foreach (var (name, shape) in planned.Where(p => !Bf16FrozenWeights.Holds(p.Name)))
        {
            small.Add(name, shape);
        }
        var byName = small.Allocate();
        var store = new Bf16FrozenWeights(config, shapes);
        var held = planned.Where(p => Bf16FrozenWeights.Holds(p.Name)).ToList();
        var temp = new float[held.Max(p => p.Shape.Aggregate(1L, (n, d) => n * d))]; // the largest held tensor, fp32
        foreach (var (name, shape) in planned)
        {
            if (byName.TryGetValue(name, out var tensor))
            {
                fill(name, shape, tensor.Span);
            }
            else
            {
                var values = temp.AsSpan(0, shape.Aggregate(1, (n, d) => n * d));
                fill(name, shape, values);
                store.Narrow(name, values);
            }
        }
        foreach (var (name, shape) in held)
        {
            byName[name] = new Tensor(0, config.HiddenSize); // held in bf16: read through the accessors below
        }
        for (int l = 0; l < shapes.Count; l++)
        {
            for (int i = 0; i < Bf16FrozenWeights.LinearNames.Length; i++)
            {
                string name = $"model.layers.{l}.{Bf16FrozenWeights.LinearNames[i]}";
                byName[name] = new Tensor(store.LayerScratch, store.LayerOffset(l, i), planned.First(p => p.Name == name).Shape);
            }
        }
        return new LlamaWeights(config, shapes, byName) { _bf16 = store };
    }

    /// <summary>Makes layer <paramref name="layer"/>'s tensors hold its weights (a bf16 model widens them into the scratch
    /// the layer views share; fp32 weights need nothing). Call before a layer's products, forward and backward.</summary>
    public void PrepareLayer(int layer) => _bf16?.WidenLayer(layer);

    /// <summary>destination [hidden] = the embedding of token.</summary>
    public void EmbeddingRow(int token, Span<float> destination)
    {
        int d = Config.HiddenSize;
        if (_bf16 is not null)
        {
            _bf16.EmbeddingRow(token, destination);
        }
        else
        {
            TokenEmbedding.Span.Slice(token * d, d).CopyTo(destination);
        }
    }

    /// <summary>logits [rows, vocab] = x [rows, hidden]·lm_headᵀ.</summary>
    public void HeadForward(ReadOnlySpan<float> x, Span<float> logits, int rows)
    {
        if (_bf16 is not null)
        {
            _bf16.HeadForward(x, logits, rows);
        }
        else
        {
            Gemm.XWt(x, LmHead.Span, logits, rows, Config.HiddenSize, Config.VocabSize);
        }
    }

    /// <summary>dx [rows, hidden] = dLogits [rows, vocab]·lm_head (overwritten, not accumulated).</summary>
    public void HeadBackward(ReadOnlySpan<float> dLogits, Span<float> dx, int rows)
    {
        if (_bf16 is not null)
        {
            _bf16.HeadBackward(dLogits, dx, rows);
        }
        else
        {
            Gemm.DyW(dLogits, LmHead.Span, dx, rows, Config.VocabSize, Config.HiddenSize);
        }
    }

    private void RequireFp32(string what)
    {
        if (_bf16 is not null)
        {
            throw new InvalidOperationException($"{what} needs fp32 weights: these are held in bf16 and widened one layer at a time (load them without --weights-dtype bf16)");
        }
    }
}
