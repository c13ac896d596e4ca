// AdamW moments of a parameter set that starts with a model's LoRA factors (ParameterSet.FromLora order: per adapter A,
// then B), viewed as LoraWeights twins so pruning slices them like the adapters and a rebuilt optimizer continues.
using FedSpine.Model.Lora;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Pruning;

public static class LoraOptimizerState
{
    /// <summary>Copies of the first and second moments of <paramref name="lora"/>'s factors, shaped like <paramref name="lora"/>.</summary>
    public static (LoraWeights M, LoraWeights V) Capture(AdamWOptimizer optimizer, LoraWeights lora)
    {
        var m = lora.ZerosLike();
        var v = lora.ZerosLike();
        Transfer(optimizer, lora, (moment, twin) => moment.Span.CopyTo(twin.Span), m, v);
        return (m, v);
    }

    /// <summary>Writes LoRA-shaped moments into the optimizer's state (its first items must be these adapters' factors).</summary>
    public static void Restore(AdamWOptimizer optimizer, LoraWeights m, LoraWeights v) =>
        Transfer(optimizer, m, (moment, twin) => twin.Span.CopyTo(moment.Span), m, v);

    private static void Transfer(AdamWOptimizer optimizer, LoraWeights shapes, Action<Tensor, Tensor> copy, LoraWeights m, LoraWeights v)
    {
        var moments = optimizer.Moments;
        int i = 0;
        foreach (var (layer, target, module, adapter) in shapes.Adapters)
        {
            if (i + 1 >= moments.Count)
            {
                throw new ArgumentException($"the optimizer holds {moments.Count} moments, too few for the adapters (at {module})");
            }
            foreach (var (factor, mTwin, vTwin) in new[] { (adapter.A, m[layer, target]!.A, v[layer, target]!.A), (adapter.B, m[layer, target]!.B, v[layer, target]!.B) })
            {
                var (mo, vo) = moments[i++];
                if (!mo.SameShape(factor.Shape))
                {
                    throw new ArgumentException($"optimizer moment {i - 1} is {mo}, but {module}'s factor is {factor}: the optimizer was not built over these adapters first");
                }
                copy(mo, mTwin);
                copy(vo, vTwin);
            }
        }
    }
}
