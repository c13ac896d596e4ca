// AdamW (decoupled weight decay, as torch.optim.AdamW): one update of a parameter buffer. CONTRACT STUB.
namespace FedSpine.Tensors;

public sealed record AdamWSettings(float LearningRate = 1e-3f, float Beta1 = 0.9f, float Beta2 = 0.999f, float Epsilon = 1e-8f, float WeightDecay = 0.01f);

public static class AdamW
{
    /// <summary>step is 1-based. param, grad, m, v: [count]. m, v are updated in place.</summary>
    public static void Step(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, AdamWSettings settings, int step)
        => throw new NotImplementedException();
}
