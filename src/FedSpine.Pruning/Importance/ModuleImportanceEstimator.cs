// Shared machinery of the element-wise criteria: a criterion scores the elements of a module's effective weight
// W + s·B·A in row blocks; sums per output row (q,k,v,gate,up) or input column (o,down) per unit, L2-normalised, coupled.
using System.Numerics.Tensors;
using FedSpine.Model;
using FedSpine.Model.Lora;

namespace FedSpine.Pruning;

public abstract class ModuleImportanceEstimator : IImportanceEstimator
{
    private const int BlockRows = 64;
    private static readonly LoraTarget[] AttentionModules = [LoraTarget.Q, LoraTarget.K, LoraTarget.V, LoraTarget.O];
    private static readonly LoraTarget[] FfnModules = [LoraTarget.Gate, LoraTarget.Up, LoraTarget.Down];

    // Row-block scratch, reused by every call on a thread: at 64 rows of 688 inputs each block is a large-object-heap
    // array, and allocating two per module per step made the collector run gen-2 collections during training.
    [ThreadStatic] private static float[]? _effective;   // [block, in]
    [ThreadStatic] private static float[]? _scores;      // [block, in]

    public abstract string Name { get; }
    public abstract bool NeedsLoraGradients { get; }
    public abstract bool NeedsBaseGradients { get; }

    /// <summary>Whether the criterion can score this module given the adapters.</summary>
    protected abstract bool CanScore(LoraWeights? lora, int layer, LoraTarget target);

    /// <summary>Throws ArgumentException when the context lacks the gradients the criterion reads.</summary>
    protected abstract void CheckContext(ImportanceContext context);

    /// <summary>dest [rows, in] = importance of each element of rows [row0, row0+rows) of the module (every element
    /// written: dest is reused scratch);
    /// effective [rows, in] holds those rows of W + s·B·A.</summary>
    protected abstract void ScoreRows(ModuleView module, int row0, int rows, ReadOnlySpan<float> effective, Span<float> dest);

    public void CheckCompatible(LlamaWeights model, LoraWeights? lora)
    {
        for (int l = 0; l < model.Layers.Count; l++)
        {
            foreach (var (modules, units) in new[] { (AttentionModules, "attention heads"), (FfnModules, "FFN channels") })
            {
                if (!modules.Any(t => CanScore(lora, l, t)))
                {
                    throw new ArgumentException($"{Name} importance cannot score the {units} of layer {l}: it scores only modules " +
                                                $"with a LoRA adapter, and none of {string.Join(", ", modules.Select(t => t.ShortName()))} has one");
                }
            }
        }
    }

    public UnitScores Estimate(ImportanceContext context)
    {
        CheckContext(context);
        var model = context.Model;
        var heads = new float[model.Layers.Count][];
        var channels = new float[model.Layers.Count][];
        for (int l = 0; l < model.Layers.Count; l++)
        {
            var shape = model.Layers[l].Shape;
            int group = shape.Heads / shape.KvHeads;
            heads[l] = new float[shape.Heads];
            channels[l] = new float[shape.FfnChannels];
            foreach (var t in AttentionModules.Where(t => CanScore(context.Lora, l, t)))
            {
                var v = Normalized(ModuleScores(context, l, t));
                if (t is LoraTarget.Q or LoraTarget.O)
                {
                    TensorPrimitives.Add(heads[l], v, heads[l]);
                }
                else
                {
                    // A KV head's score is shared equally by its query heads: a whole group then scores its q/o heads plus
                    // its k/v head, and within a group (where the KV head stays) the ranking is unchanged.
                    for (int h = 0; h < shape.Heads; h++)
                    {
                        heads[l][h] += v[h / group] / group;
                    }
                }
            }
            foreach (var t in FfnModules.Where(t => CanScore(context.Lora, l, t)))
            {
                TensorPrimitives.Add(channels[l], Normalized(ModuleScores(context, l, t)), channels[l]);
            }
        }
        return new UnitScores(heads, channels);
    }

    /// <summary>Raw per-unit scores of one module (before normalisation): q, o → [heads]; k, v → [kvHeads];
    /// gate, up, down → [ffnChannels]. Element scores summed over each unit's rows (q,k,v,gate,up) or columns (o,down).</summary>
    public float[] ModuleScores(ImportanceContext context, int layer, LoraTarget target)
    {
        CheckContext(context);
        var module = ModuleView.Of(context, layer, target);
        int outDim = module.Out, inDim = module.In;
        bool byColumn = target is LoraTarget.O or LoraTarget.Down;
        var lineSums = new float[byColumn ? inDim : outDim];   // per column [in] or per row [out]
        int block = Math.Min(BlockRows, outDim);
        var effective = Scratch(ref _effective, block * inDim);   // [block, in]; every block overwrites what it reads
        var scores = Scratch(ref _scores, block * inDim);         // [block, in]; ScoreRows overwrites what it reads
        for (int row0 = 0; row0 < outDim; row0 += block)
        {
            int rows = Math.Min(block, outDim - row0);
            var e = effective.AsSpan(0, rows * inDim);
            var s = scores.AsSpan(0, rows * inDim);
            module.EffectiveRows(row0, rows, e);
            ScoreRows(module, row0, rows, e, s);
            for (int r = 0; r < rows; r++)
            {
                var row = s.Slice(r * inDim, inDim);
                if (byColumn)
                {
                    TensorPrimitives.Add(lineSums, row, lineSums);
                }
                else
                {
                    lineSums[row0 + r] = TensorPrimitives.Sum(row);
                }
            }
        }
        int width = target is LoraTarget.Gate or LoraTarget.Up or LoraTarget.Down ? 1 : context.Model.Config.HeadDim;
        var units = new float[lineSums.Length / width];
        for (int u = 0; u < units.Length; u++)
        {
            units[u] = TensorPrimitives.Sum(lineSums.AsSpan(u * width, width));
        }
        return units;
    }

    private static float[] Scratch(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = new float[length];
        }
        return buffer;
    }

    /// <summary>v / ‖v‖₂ (a zero vector stays zero).</summary>
    private static float[] Normalized(float[] v)
    {
        float norm = TensorPrimitives.Norm(v);
        if (norm > 0)
        {
            TensorPrimitives.Divide(v, norm, v);
        }
        return v;
    }
}
