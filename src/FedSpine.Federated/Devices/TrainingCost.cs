// Analytic, deterministic cost of LoRA fine-tuning from shapes alone: FLOPs of one training step or forward pass, peak
// training memory (exactly what LlamaWeights, LoraWeights, AdamWOptimizer and TrainingGraph allocate), and LoRA transfer bytes.
// FLOPs count matrix products only (2 per multiply-add); norms, RoPE, softmax, SiLU and the optimizer update are ignored.
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Federated.Devices;

public static class TrainingCost
{
    /// <summary>Added to every upload: sample count, losses before/after, measured times, the arm played.</summary>
    public const long UploadMetadataBytes = 256;

    /// <summary>Added to every download: the arm (pruning step, rank), target sparsity and round number.</summary>
    public const long DownloadMetadataBytes = 64;

    /// <summary>FLOPs of one LoRA training step (forward + backward, base weights frozen) over [batch, tokens].
    /// Per row, a linear W [out, in] with a rank-r adapter costs 2·out·in + 2·r·(in+out) forward, and backward
    /// 2·out·in (input gradient only) + 2·r·(in+out) (input gradient through the adapter) + 2·r·(in+out) (dA, dB).
    /// Causal attention costs 4·headDim·heads·T(T+1)/2 per sequence forward (scores and values over the keys each
    /// query sees) and twice that backward. The LM head (2·vocab·hidden forward, the same backward for dHidden) is counted
    /// only when lmHead is true: classification heads replace it, and it does not change with pruning or rank.</summary>
    public static double LoraStepFlops(LlamaConfig config, IReadOnlyList<LayerShape> shapes, Func<int, LoraTarget, int> rankOf,
        int batch, int tokens, bool lmHead = false) => Flops(config, shapes, rankOf, batch, tokens, lmHead, backward: true);

    /// <summary>FLOPs of one forward pass over [batch, tokens] (evaluation) with unmerged adapters (rankOf null: none).
    /// Same counting rules as LoraStepFlops, forward terms only.</summary>
    public static double ForwardFlops(LlamaConfig config, IReadOnlyList<LayerShape> shapes, Func<int, LoraTarget, int>? rankOf,
        int batch, int tokens, bool lmHead = false) => Flops(config, shapes, rankOf ?? NoAdapters, batch, tokens, lmHead, backward: false);

    /// <summary>Bytes of the frozen base weights at these shapes, as LlamaWeights allocates them.</summary>
    public static long BaseWeightBytes(LlamaConfig config, IReadOnlyList<LayerShape> shapes)
    {
        CheckShapes(config, shapes);
        return LlamaWeights.Plan(config, shapes).TotalBytes;
    }

    /// <summary>Bytes of one LoRA-shaped set (the factors; also their gradients, and each AdamW moment) as allocated:
    /// A [r, in] and B [out, r] per adapter, each view padded to 16 floats in its arena.</summary>
    public static long LoraParameterBytes(LlamaConfig config, IReadOnlyList<LayerShape> shapes, Func<int, LoraTarget, int> rankOf)
    {
        var arena = new TensorArena();
        foreach (var (l, t, rank, outDim, inDim) in Adapters(config, shapes, rankOf))
        {
            arena.Add($"{l}.{t}.A", rank, inDim).Add($"{l}.{t}.B", outDim, rank);
        }
        return arena.TotalBytes;
    }

    /// <summary>Peak bytes of LoRA training: frozen base weights + LoRA factors + their gradients + AdamW's two moments
    /// + TrainingGraph's activations and backward scratch (which include the LM-head logits buffer, [batch·tokens, vocab]).
    /// A task head's few parameters (a classifier's score layer) and managed-runtime overhead are not counted.</summary>
    public static long LoraTrainingMemoryBytes(LlamaConfig config, IReadOnlyList<LayerShape> shapes, Func<int, LoraTarget, int> rankOf,
        int batch, int tokens)
    {
        CheckSizes(batch, tokens);
        return BaseWeightBytes(config, shapes) + 4 * LoraParameterBytes(config, shapes, rankOf)
            + TrainingGraph.PlannedActivationBytes(config, shapes, rankOf, batch, tokens);
    }

    /// <summary>float32 bytes of the LoRA factors, unpadded: 4·Σ r·(in + out) over the adapters.</summary>
    public static long LoraFactorBytes(LlamaConfig config, IReadOnlyList<LayerShape> shapes, Func<int, LoraTarget, int> rankOf) =>
        Adapters(config, shapes, rankOf).Sum(a => 4L * a.Rank * (a.In + a.Out));

    /// <summary>Bytes a device uploads: its factors, per-layer kept-unit bitmaps over the full model's heads, KV heads
    /// and FFN channels, and UploadMetadataBytes.</summary>
    public static long LoraUploadBytes(LlamaConfig config, IReadOnlyList<LayerShape> shapes, Func<int, LoraTarget, int> rankOf)
    {
        long maskBytes = (long)config.NumHiddenLayers * ((config.NumAttentionHeads + config.NumKeyValueHeads + config.IntermediateSize + 7) / 8);
        return LoraFactorBytes(config, shapes, rankOf) + maskBytes + UploadMetadataBytes;
    }

    /// <summary>Bytes a device downloads: the global LoRA restricted to its kept units at its rank, and DownloadMetadataBytes.</summary>
    public static long LoraDownloadBytes(LlamaConfig config, IReadOnlyList<LayerShape> shapes, Func<int, LoraTarget, int> rankOf) =>
        LoraFactorBytes(config, shapes, rankOf) + DownloadMetadataBytes;

    private static readonly Func<int, LoraTarget, int> NoAdapters = (_, _) => 0;

    private static double Flops(LlamaConfig config, IReadOnlyList<LayerShape> shapes, Func<int, LoraTarget, int> rankOf,
        int batch, int tokens, bool lmHead, bool backward)
    {
        CheckSizes(batch, tokens);
        CheckShapes(config, shapes);
        double rows = (double)batch * tokens;
        double baseMacs = 0, loraMacs = 0; // multiply-adds per row: base weights, adapters (r·(in+out))
        foreach (var s in shapes)
        {
            foreach (var t in LoraTargets.All)
            {
                var (outDim, inDim) = t.Dims(s, config.HiddenSize, config.HeadDim);
                baseMacs += (double)outDim * inDim;
            }
        }
        foreach (var a in Adapters(config, shapes, rankOf))
        {
            loraMacs += (double)a.Rank * (a.In + a.Out);
        }
        if (lmHead)
        {
            baseMacs += (double)config.VocabSize * config.HiddenSize;
        }
        // causal attention: each sequence's queries see T(T+1)/2 keys in all; q·kᵀ and p·v are headDim MACs per pair
        double attentionMacs = shapes.Sum(s => (double)s.Heads) * config.HeadDim * 2 * batch * ((double)tokens * (tokens + 1) / 2);
        double forward = 2 * (rows * (baseMacs + loraMacs) + attentionMacs);
        if (!backward)
        {
            return forward;
        }
        double back = 2 * (rows * (baseMacs + 2 * loraMacs) + 2 * attentionMacs);
        return forward + back;
    }

    private static IEnumerable<(int Layer, LoraTarget Target, int Rank, int Out, int In)> Adapters(LlamaConfig config,
        IReadOnlyList<LayerShape> shapes, Func<int, LoraTarget, int> rankOf)
    {
        CheckShapes(config, shapes);
        var list = new List<(int, LoraTarget, int, int, int)>();
        for (int l = 0; l < shapes.Count; l++)
        {
            foreach (var t in LoraTargets.All)
            {
                int rank = rankOf(l, t);
                if (rank <= 0)
                {
                    continue;
                }
                var (outDim, inDim) = t.Dims(shapes[l], config.HiddenSize, config.HeadDim);
                if (rank > Math.Min(outDim, inDim))
                {
                    throw new ArgumentException($"LoRA rank {rank} on layer {l} {t.ShortName()} exceeds the module's dimensions {outDim}x{inDim}");
                }
                list.Add((l, t, rank, outDim, inDim));
            }
        }
        return list;
    }

    private static void CheckShapes(LlamaConfig config, IReadOnlyList<LayerShape> shapes)
    {
        if (shapes.Count != config.NumHiddenLayers)
        {
            throw new ArgumentException($"{shapes.Count} layer shapes for a model of {config.NumHiddenLayers} layers");
        }
    }

    private static void CheckSizes(int batch, int tokens)
    {
        if (batch < 1 || tokens < 1)
        {
            throw new ArgumentException($"batch ({batch}) and tokens ({tokens}) must be positive");
        }
    }
}
