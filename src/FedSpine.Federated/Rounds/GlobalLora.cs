// The server's federated state: every module's LoRA in full coordinates at the global rank (scale folded into B) and
// the shared classification head (none, zero classes, for the instruct task: its LM head is the frozen base's). Slices it
// for a device (kept units, rank, alpha) and takes devices' factors back.
using FedSpine.Federated.Aggregation;
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Model.Tasks;
using FedSpine.Pruning;
using FedSpine.Tensors;

namespace FedSpine.Federated.Rounds;

public sealed class GlobalLora
{
    private readonly SortedDictionary<(int Layer, LoraTarget Target), GlobalModule> _modules;

    private GlobalLora(LlamaConfig config, SortedDictionary<(int, LoraTarget), GlobalModule> modules, float[] headWeight, float[] headBias)
    {
        Config = config;
        _modules = modules;
        HeadWeight = headWeight;
        HeadBias = headBias;
    }

    public LlamaConfig Config { get; }
    public int Rank => _modules.Values.First().Rank;
    public IReadOnlyDictionary<(int Layer, LoraTarget Target), GlobalModule> Modules => _modules;
    public float[] HeadWeight { get; }   // [classes, hidden]
    public float[] HeadBias { get; }     // [classes]
    public int Classes => HeadBias.Length;

    /// <summary>PEFT-style start: A uniform in ±1/sqrt(in), B zero (so ΔW = 0), on the given targets of every layer of
    /// the unpruned model; the head as ClassificationHead initialises it.</summary>
    public static GlobalLora Initialize(LlamaConfig config, IReadOnlyCollection<LoraTarget> targets, int rank, int classes, Pooling pooling, Rng rng)
    {
        var modules = new SortedDictionary<(int, LoraTarget), GlobalModule>();
        var shape = new LayerShape(config.NumAttentionHeads, config.NumKeyValueHeads, config.IntermediateSize);
        for (int l = 0; l < config.NumHiddenLayers; l++)
        {
            foreach (var t in LoraTargets.All.Where(targets.Contains))
            {
                var (outDim, inDim) = t.Dims(shape, config.HiddenSize, config.HeadDim);
                var m = new GlobalModule(outDim, inDim, rank);
                float bound = 1f / MathF.Sqrt(inDim);
                rng.FillUniform(m.A, -bound, bound);
                modules[(l, t)] = m;
            }
        }
        if (classes == 0)
        {
            return new GlobalLora(config, modules, [], []);   // no head: tasks that train through the model's own LM head
        }
        var head = new ClassificationHead(config.HiddenSize, classes, rng, pooling);
        return new GlobalLora(config, modules, head.Weight.Span.ToArray(), head.Bias.Span.ToArray());
    }

    /// <summary>Global state from saved arrays (a checkpoint); shapes are checked.</summary>
    public static GlobalLora FromArrays(LlamaConfig config, IReadOnlyDictionary<(int Layer, LoraTarget Target), (float[] A, float[] B, int Out, int In, int Rank)> modules,
        float[] headWeight, float[] headBias)
    {
        var dict = new SortedDictionary<(int, LoraTarget), GlobalModule>();
        foreach (var (key, v) in modules)
        {
            var m = new GlobalModule(v.Out, v.In, v.Rank);
            if (v.A.Length != m.A.Length || v.B.Length != m.B.Length)
            {
                throw new InvalidDataException($"saved global LoRA layer {key.Layer} {key.Target.ShortName()} has the wrong size");
            }
            v.A.CopyTo(m.A, 0);
            v.B.CopyTo(m.B, 0);
            dict[key] = m;
        }
        return new GlobalLora(config, dict, headWeight, headBias);
    }

    /// <summary>The device's slice: rows/columns it keeps, the first <paramref name="rank"/> rank components, and B divided
    /// by the device's scale alpha/rank so that (alpha/rank)·B_dev·A_dev equals the global ΔW truncated to that rank.</summary>
    public IReadOnlyList<ModuleFactors> SliceFor(PruningMask mask, int rank, float alpha)
    {
        if (rank < 1 || rank > Rank)
        {
            throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} outside 1..{Rank} (the global rank)");
        }
        float inverseScale = rank / alpha;
        var result = new List<ModuleFactors>(_modules.Count);
        foreach (var ((layer, target), m) in _modules)
        {
            var (rows, cols) = ModuleCoordinates.Kept(target, mask.Layers[layer], Config);
            var a = new float[rank * cols.Length];   // [rank, keptIn]
            var b = new float[rows.Length * rank];   // [keptOut, rank]
            for (int j = 0; j < rank; j++)
            {
                for (int c = 0; c < cols.Length; c++)
                {
                    a[j * cols.Length + c] = m.A[j * m.In + cols[c]];
                }
            }
            for (int r = 0; r < rows.Length; r++)
            {
                for (int j = 0; j < rank; j++)
                {
                    b[r * rank + j] = m.B[rows[r] * m.Rank + j] * inverseScale;
                }
            }
            result.Add(new ModuleFactors(layer, target, rank, a, b));
        }
        return result;
    }

    /// <summary>A device's factors of one module as an aggregation input (scale alpha/rank, its kept coordinates).</summary>
    public DeviceModuleUpdate ToUpdate(ModuleFactors f, PruningMask mask, float alpha, double weight)
    {
        var (rows, cols) = ModuleCoordinates.Kept(f.Target, mask.Layers[f.Layer], Config);
        return new DeviceModuleUpdate(f.A, f.B, f.Rank, alpha / f.Rank, rows, cols, weight);
    }

    /// <summary>Folds validated device reports into every module and the head with the strategy (weights: the reports' sample counts).</summary>
    public void Aggregate(IReadOnlyList<(DeviceReport Report, float Alpha)> uploads, ILoraAggregator aggregator)
    {
        if (uploads.Count == 0)
        {
            return;
        }
        foreach (var (key, module) in _modules)
        {
            var updates = uploads.Select(u => ToUpdate(u.Report.Factors.Single(f => f.Layer == key.Layer && f.Target == key.Target),
                u.Report.Mask, u.Alpha, u.Report.SampleCount)).ToList();
            aggregator.Aggregate(module, updates);
        }
        if (Classes == 0)
        {
            return;
        }
        var weights = uploads.Select(u => (double)u.Report.SampleCount).ToArray();
        aggregator.AggregateHead(HeadWeight, uploads.Select(u => u.Report.HeadWeight).ToList(), weights);
        aggregator.AggregateHead(HeadBias, uploads.Select(u => u.Report.HeadBias).ToList(), weights);
    }

    /// <summary>Every tensor of the state in a fixed order with its checkpoint name: lora.{layer}.{module}.A/.B, then
    /// head.weight and head.bias (when there is a head). The arrays are the live state (writes change it).</summary>
    public IReadOnlyList<(string Name, float[] Values)> NamedTensors()
    {
        var list = new List<(string, float[])>(2 * _modules.Count + 2);
        foreach (var ((layer, target), m) in _modules)
        {
            list.Add(($"lora.{layer}.{target.ShortName()}.A", m.A));
            list.Add(($"lora.{layer}.{target.ShortName()}.B", m.B));
        }
        if (Classes > 0)
        {
            list.Add(("head.weight", HeadWeight));
            list.Add(("head.bias", HeadBias));
        }
        return list;
    }

    /// <summary>Frobenius norm of a device's ΔW = (alpha/rank)·B·A without forming it: sqrt(trace((BᵀB)(AAᵀ)))·scale.</summary>
    public static double UpdateNorm(ModuleFactors f, float alpha)
    {
        int r = f.Rank, inDim = f.In, outDim = f.Out;
        var btb = new double[r * r];
        var aat = new double[r * r];
        for (int i = 0; i < r; i++)
        {
            for (int j = 0; j < r; j++)
            {
                double sb = 0, sa = 0;
                for (int o = 0; o < outDim; o++)
                {
                    sb += (double)f.B[o * r + i] * f.B[o * r + j];
                }
                for (int c = 0; c < inDim; c++)
                {
                    sa += (double)f.A[i * inDim + c] * f.A[j * inDim + c];
                }
                btb[i * r + j] = sb;
                aat[i * r + j] = sa;
            }
        }
        double trace = 0;
        for (int i = 0; i < r * r; i++)
        {
            trace += btb[i] * aat[i];   // trace(X·Y) = Σ X_ij·Y_ji and both are symmetric
        }
        double scale = alpha / r;
        return Math.Sqrt(Math.Max(0, trace)) * scale;
    }

    /// <summary>Frobenius norm of (alpha/rank)·(B'·A' − B·A) for two factor pairs of one module at the same rank and
    /// coordinates: the norm of the stacked product [B', −B]·[A'; A] at twice the rank.</summary>
    public static double ChangeNorm(ModuleFactors before, ModuleFactors after, float alpha)
    {
        if (before.Rank != after.Rank || before.In != after.In || before.Out != after.Out)
        {
            throw new ArgumentException($"layer {after.Layer} {after.Target}: change of factors of different shapes");
        }
        int r = after.Rank, inDim = after.In, outDim = after.Out;
        var a = new float[2 * r * inDim];   // [2r, in]: A' rows, then A rows
        after.A.CopyTo(a, 0);
        before.A.CopyTo(a, r * inDim);
        var b = new float[outDim * 2 * r];  // [out, 2r]: each row B'_o then −B_o
        for (int o = 0; o < outDim; o++)
        {
            for (int j = 0; j < r; j++)
            {
                b[o * 2 * r + j] = after.B[o * r + j];
                b[o * 2 * r + r + j] = -before.B[o * r + j];
            }
        }
        return UpdateNorm(new ModuleFactors(after.Layer, after.Target, 2 * r, a, b), 2 * alpha);
    }
}
