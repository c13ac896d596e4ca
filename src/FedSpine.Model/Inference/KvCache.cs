// Keys and values of past positions for token-by-token decoding, per layer laid out [kvHeads, capacity, headDim]
// so each head's history is contiguous. Shapes follow each layer's own (possibly pruned) kv-head count.
using FedSpine.Tensors;

namespace FedSpine.Model.Inference;

public sealed class KvCache
{
    public KvCache(LlamaWeights model, int capacity)
    {
        Capacity = capacity;
        var arena = new TensorArena();
        for (int l = 0; l < model.Layers.Count; l++)
        {
            arena.Add($"k{l}", model.Layers[l].Shape.KvHeads, capacity, model.Config.HeadDim);
            arena.Add($"v{l}", model.Layers[l].Shape.KvHeads, capacity, model.Config.HeadDim);
        }
        Bytes = arena.TotalBytes;
        var t = arena.Allocate();
        Keys = Enumerable.Range(0, model.Layers.Count).Select(l => t[$"k{l}"]).ToArray();
        Values = Enumerable.Range(0, model.Layers.Count).Select(l => t[$"v{l}"]).ToArray();
    }

    public int Capacity { get; }
    public long Bytes { get; }
    public Tensor[] Keys { get; }    // per layer [kvHeads, capacity, headDim]
    public Tensor[] Values { get; }  // per layer [kvHeads, capacity, headDim]

    /// <summary>Stores one position's k and v ([kvHeads·headDim] each) for a layer.</summary>
    public void Write(int layer, int position, ReadOnlySpan<float> k, ReadOnlySpan<float> v)
    {
        if ((uint)position >= (uint)Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(position), $"position {position} beyond KV cache capacity {Capacity}");
        }
        int kvHeads = Keys[layer].Dim(0), hd = Keys[layer].Dim(2);
        var keys = Keys[layer].Span;
        var values = Values[layer].Span;
        for (int h = 0; h < kvHeads; h++)
        {
            int dst = (h * Capacity + position) * hd;
            k.Slice(h * hd, hd).CopyTo(keys.Slice(dst, hd));
            v.Slice(h * hd, hd).CopyTo(values.Slice(dst, hd));
        }
    }
}
