// The LoRA adapters of a whole model: per layer, per target module, each with its own rank, carved from one arena.
// The same class holds gradients and optimizer moments (same shapes), so updates are simple loops over pairs.
using FedSpine.Tensors;

namespace FedSpine.Model.Lora;

public sealed class LoraWeights
{
    private readonly LoraAdapter?[][] _adapters; // [layer][target]

    private readonly LlamaConfig _config;
    private readonly IReadOnlyList<LayerShape> _shapes;

    private LoraWeights(LlamaConfig config, IReadOnlyList<LayerShape> shapes, LoraAdapter?[][] adapters, float alpha, long parameterCount)
    {
        _config = config;
        _shapes = shapes;
        _adapters = adapters;
        Alpha = alpha;
        ParameterCount = parameterCount;
    }

    public float Alpha { get; }
    public long ParameterCount { get; }
    public int LayerCount => _adapters.Length;

    public LoraAdapter? this[int layer, LoraTarget target] => _adapters[layer][(int)target];

    /// <summary>Every adapter with its PEFT-style module name, e.g. "model.layers.3.self_attn.q_proj".</summary>
    public IEnumerable<(int Layer, LoraTarget Target, string Module, LoraAdapter Adapter)> Adapters
    {
        get
        {
            for (int l = 0; l < _adapters.Length; l++)
            {
                foreach (var t in LoraTargets.All)
                {
                    if (_adapters[l][(int)t] is { } adapter)
                    {
                        yield return (l, t, $"model.layers.{l}.{t.ModulePath()}", adapter);
                    }
                }
            }
        }
    }

    /// <summary>Zeroed adapters: rankOf(layer, target) = 0 means "no adapter there".</summary>
    public static LoraWeights Allocate(LlamaConfig config, IReadOnlyList<LayerShape> shapes, Func<int, LoraTarget, int> rankOf, float alpha)
    {
        var arena = new TensorArena();
        var plan = new List<(int Layer, LoraTarget Target, int Rank, int Out, int In)>();
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
                plan.Add((l, t, rank, outDim, inDim));
                arena.Add($"{l}.{t}.A", rank, inDim);
                arena.Add($"{l}.{t}.B", outDim, rank);
            }
        }
        var tensors = arena.Allocate();
        var adapters = new LoraAdapter?[shapes.Count][];
        for (int l = 0; l < shapes.Count; l++)
        {
            adapters[l] = new LoraAdapter?[LoraTargets.All.Length];
        }
        long count = 0;
        foreach (var p in plan)
        {
            var adapter = new LoraAdapter(tensors[$"{p.Layer}.{p.Target}.A"], tensors[$"{p.Layer}.{p.Target}.B"], alpha);
            adapters[p.Layer][(int)p.Target] = adapter;
            count += adapter.A.Length + adapter.B.Length;
        }
        return new LoraWeights(config, shapes.ToArray(), adapters, alpha, count);
    }

    /// <summary>Adapters with the same rank on the given targets of every layer.</summary>
    public static LoraWeights Allocate(LlamaWeights model, IReadOnlyCollection<LoraTarget> targets, int rank, float alpha) =>
        Allocate(model.Config, model.LayerShapes, (_, t) => targets.Contains(t) ? rank : 0, alpha);

    /// <summary>A zeroed twin with identical shapes (gradients, optimizer moments).</summary>
    public LoraWeights ZerosLike() => Allocate(_config, _shapes, (l, t) => this[l, t]?.Rank ?? 0, Alpha);

    /// <summary>PEFT's initialisation: A uniform in ±1/sqrt(in) (Kaiming-uniform with a = √5), B zero.</summary>
    public void InitializeForTraining(Rng rng)
    {
        foreach (var (_, _, _, adapter) in Adapters)
        {
            float bound = 1f / MathF.Sqrt(adapter.In);
            rng.FillUniform(adapter.A.Span, -bound, bound);
            adapter.B.Clear();
        }
    }

    /// <summary>Folds every adapter into the base weights (W += (α/r)·B·A).</summary>
    public void MergeInto(LlamaWeights model)
    {
        foreach (var (layer, target, _, adapter) in Adapters)
        {
            adapter.MergeInto(target.WeightOf(model.Layers[layer]));
        }
    }

    public void Clear()
    {
        foreach (var (_, _, _, adapter) in Adapters)
        {
            adapter.A.Clear();
            adapter.B.Clear();
        }
    }
}
