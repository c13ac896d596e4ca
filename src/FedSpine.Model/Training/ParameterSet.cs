// The trainable tensors of a run paired with their gradients: full model weights, LoRA factors, or any list.
// Gradient zeroing, global-norm clipping and the optimizer all walk this one list.

using FedSpine.Model.Lora;
using FedSpine.Tensors;

namespace FedSpine.Model.Training;

public sealed class ParameterSet
{
    public ParameterSet(IReadOnlyList<(string Name, Tensor Value, Tensor Grad)> items)
    {
        foreach (var (name, value, grad) in items)
        {
            if (!value.SameShape(grad.Shape))
            {
                throw new ArgumentException($"gradient of '{name}' is {grad}, parameter is {value}");
            }
        }
        Items = items;
    }

    public IReadOnlyList<(string Name, Tensor Value, Tensor Grad)> Items { get; }

    public long Count => Items.Sum(i => (long)i.Value.Length);

    /// <summary>All weights of a model with a gradient twin (a tied head appears once, as the embedding).</summary>
    public static ParameterSet FromModel(LlamaWeights model, LlamaWeights grads) =>
        new(model.NamedTensors.Select(p => (p.Key, p.Value, grads.Find(p.Key) ?? throw new ArgumentException($"no gradient for {p.Key}"))).ToList());

    /// <summary>All LoRA factors with their gradient twins.</summary>
    public static ParameterSet FromLora(LoraWeights lora, LoraWeights grads)
    {
        var items = new List<(string, Tensor, Tensor)>();
        foreach (var (layer, target, module, adapter) in lora.Adapters)
        {
            var g = grads[layer, target] ?? throw new ArgumentException($"no gradient for {module}");
            items.Add((module + ".lora_A", adapter.A, g.A));
            items.Add((module + ".lora_B", adapter.B, g.B));
        }
        return new ParameterSet(items);
    }

    public void ZeroGradients()
    {
        foreach (var item in Items)
        {
            item.Grad.Clear();
        }
    }

    /// <summary>L2 norm of all gradients together (accumulated in double).</summary>
    public double GradientNorm()
    {
        double sum = 0;
        foreach (var item in Items)
        {
            double n = System.Numerics.Tensors.TensorPrimitives.Norm(item.Grad.Span);
            sum += n * n;
        }
        return Math.Sqrt(sum);
    }

    /// <summary>Scales gradients so their global norm is at most maxNorm; returns the norm before clipping.</summary>
    public double ClipGradients(double maxNorm)
    {
        double norm = GradientNorm();
        if (maxNorm > 0 && norm > maxNorm)
        {
            float scale = (float)(maxNorm / (norm + 1e-6));
            foreach (var item in Items)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(item.Grad.Span, scale, item.Grad.Span);
            }
        }
        return norm;
    }
}
