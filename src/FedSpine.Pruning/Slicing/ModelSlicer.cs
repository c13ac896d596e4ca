// Physically removes pruned units: a smaller LlamaWeights (q/k/v rows, q/k/v bias entries and o columns of heads, gate/up rows and down
// columns of channels), and LoRA-shaped tensors (adapters, their gradients, optimizer moments) sliced the same way.
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Tensors;

namespace FedSpine.Pruning;

public static class ModelSlicer
{
    /// <summary>The config of a model with these layer shapes: uniform shapes give a standard LLaMA config with exactly
    /// those counts; differing shapes give the per-field maxima (heads rounded up to a multiple of the KV heads), which
    /// the HF folder reader accepts with per-layer shapes. head_dim stays explicit.</summary>
    public static LlamaConfig ConfigFor(LlamaConfig config, IReadOnlyList<LayerShape> shapes)
    {
        int kv = shapes.Max(s => s.KvHeads);
        int heads = shapes.Max(s => s.Heads);
        return config with
        {
            NumAttentionHeads = (heads + kv - 1) / kv * kv,
            NumKeyValueHeads = kv,
            IntermediateSize = shapes.Max(s => s.FfnChannels),
        };
    }

    /// <summary>An unpruned model cut down to <paramref name="mask"/> (whose original shapes are the model's).</summary>
    public static LlamaWeights Slice(LlamaWeights model, PruningMask mask) =>
        Slice(model, SliceMap.Create(model.Config, PruningMask.Full(model.LayerShapes), mask));

    /// <summary>A new, smaller model; <paramref name="model"/> (pruned by map.Current) is left unchanged.</summary>
    public static LlamaWeights Slice(LlamaWeights model, SliceMap map)
    {
        var current = map.Current.Shapes;
        if (!model.LayerShapes.SequenceEqual(current))
        {
            throw new ArgumentException($"the model's layer shapes ({Describe(model.LayerShapes)}) are not the current mask's ({Describe(current)})");
        }
        int hd = model.Config.HeadDim;
        var result = LlamaWeights.Allocate(map.Config, map.Shapes);
        model.TokenEmbedding.Span.CopyTo(result.TokenEmbedding.Span);
        model.FinalNorm.Span.CopyTo(result.FinalNorm.Span);
        if (!model.Config.TieWordEmbeddings)
        {
            model.LmHead.Span.CopyTo(result.LmHead.Span);
        }
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var src = model.Layers[l];
            var dst = result.Layers[l];
            int[] heads = map.HeadPositions[l], kv = map.KvPositions[l], channels = map.ChannelPositions[l];
            src.AttnNorm.Span.CopyTo(dst.AttnNorm.Span);
            src.FfnNorm.Span.CopyTo(dst.FfnNorm.Span);
            BlockCopy.Rows(src.Wq, heads, hd, dst.Wq);
            BlockCopy.Rows(src.Wk, kv, hd, dst.Wk);
            BlockCopy.Rows(src.Wv, kv, hd, dst.Wv);
            if (src.Bq is not null)
            {
                BlockCopy.Elements(src.Bq, heads, hd, dst.Bq!);
                BlockCopy.Elements(src.Bk!, kv, hd, dst.Bk!);
                BlockCopy.Elements(src.Bv!, kv, hd, dst.Bv!);
            }
            BlockCopy.Columns(src.Wo, heads, hd, dst.Wo);
            BlockCopy.Rows(src.Gate, channels, 1, dst.Gate);
            BlockCopy.Rows(src.Up, channels, 1, dst.Up);
            BlockCopy.Columns(src.Down, channels, 1, dst.Down);
        }
        return result;
    }

    /// <summary>Adapters (or any LoRA-shaped twin: gradients, AdamW moments) of a model pruned by map.Current, sliced to
    /// map.Next: B rows of q,k,v,gate,up and A columns of o,down; ranks and alpha unchanged. Throws when a rank no longer
    /// fits its smaller module.</summary>
    public static LoraWeights Slice(LoraWeights lora, SliceMap map)
    {
        var current = map.Current.Shapes;
        if (lora.LayerCount != current.Length)
        {
            throw new ArgumentException($"adapters for {lora.LayerCount} layers, the model has {current.Length}");
        }
        int d = map.Config.HiddenSize, hd = map.Config.HeadDim;
        foreach (var (layer, target, module, adapter) in lora.Adapters)
        {
            var (outDim, inDim) = target.Dims(current[layer], d, hd);
            if (adapter.Out != outDim || adapter.In != inDim)
            {
                throw new ArgumentException($"adapter {module} is {adapter.Out}x{adapter.In}, the model's module is {outDim}x{inDim}");
            }
        }
        var result = LoraWeights.Allocate(map.Config, map.Shapes, (l, t) => lora[l, t]?.Rank ?? 0, lora.Alpha);
        foreach (var (layer, target, _, src) in lora.Adapters)
        {
            var dst = result[layer, target]!;
            int[] heads = map.HeadPositions[layer], kv = map.KvPositions[layer], channels = map.ChannelPositions[layer];
            switch (target)
            {
                case LoraTarget.Q:
                    Copy(src.A, dst.A);
                    BlockCopy.Rows(src.B, heads, hd, dst.B);
                    break;
                case LoraTarget.K or LoraTarget.V:
                    Copy(src.A, dst.A);
                    BlockCopy.Rows(src.B, kv, hd, dst.B);
                    break;
                case LoraTarget.O:
                    BlockCopy.Columns(src.A, heads, hd, dst.A);
                    Copy(src.B, dst.B);
                    break;
                case LoraTarget.Gate or LoraTarget.Up:
                    Copy(src.A, dst.A);
                    BlockCopy.Rows(src.B, channels, 1, dst.B);
                    break;
                case LoraTarget.Down:
                    BlockCopy.Columns(src.A, channels, 1, dst.A);
                    Copy(src.B, dst.B);
                    break;
            }
        }
        return result;
    }

    private static void Copy(Tensor src, Tensor dst) => src.Span.CopyTo(dst.Span);

    private static string Describe(IEnumerable<LayerShape> shapes) =>
        string.Join("; ", shapes.Select(s => $"{s.Heads}/{s.KvHeads} heads, {s.FfnChannels} channels"));
}
