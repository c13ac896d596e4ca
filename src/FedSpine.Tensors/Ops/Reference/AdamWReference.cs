// Plain reference AdamW step written as the textbook formula (bias-corrected m̂, v̂), in double per element.
// The fast AdamW kernel is tested against this; same contract as AdamW.
namespace FedSpine.Tensors;

public static class AdamWReference
{
    /// <summary>step is 1-based. param, grad, m, v: [count]. m, v are updated in place.</summary>
    public static void Step(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, AdamWSettings settings, int step)
    {
        AdamW.CheckArguments(param.Length, grad.Length, m.Length, v.Length, settings, step);
        double lr = AdamW.Widen(settings.LearningRate), b1 = AdamW.Widen(settings.Beta1), b2 = AdamW.Widen(settings.Beta2);
        double decay = 1 - lr * AdamW.Widen(settings.WeightDecay), eps = AdamW.Widen(settings.Epsilon);
        double bias1 = 1 - Math.Pow(b1, step), bias2 = 1 - Math.Pow(b2, step);
        for (int i = 0; i < param.Length; i++)
        {
            double g = grad[i];
            double p = param[i] * decay;
            double mi = b1 * m[i] + (1 - b1) * g;
            double vi = b2 * v[i] + (1 - b2) * g * g;
            p -= lr * (mi / bias1) / (Math.Sqrt(vi / bias2) + eps);
            m[i] = (float)mi;
            v[i] = (float)vi;
            param[i] = (float)p;
        }
    }
}
