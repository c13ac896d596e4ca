// Gamma and Dirichlet draws on FedSpine.Tensors.Rng: Marsaglia-Tsang (2000) for shape ≥ 1, boosted by U^(1/shape) below 1,
// kept in log space so that tiny concentrations (α ≪ 1) never underflow to all-zero proportions.
using FedSpine.Tensors;

namespace FedSpine.Federated.Data;

public static class DirichletSampler
{
    /// <summary>log of a Gamma(shape, 1) draw.</summary>
    public static double LogGamma(double shape, Rng rng)
    {
        if (!(shape > 0) || double.IsInfinity(shape))
        {
            throw new ArgumentException($"gamma shape must be positive and finite (got {shape})");
        }
        if (shape < 1)
        {
            // Gamma(a) = Gamma(a + 1) · U^(1/a)
            double u = 1.0 - rng.NextDouble(); // (0, 1]
            return LogGamma(shape + 1, rng) + Math.Log(u) / shape;
        }
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x = rng.NextGaussian();
            double v = 1 + c * x;
            if (v <= 0)
            {
                continue;
            }
            v = v * v * v;
            double u = 1.0 - rng.NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v)))
            {
                return Math.Log(d) + Math.Log(v);
            }
        }
    }

    /// <summary>Proportions ~ Dirichlet(alpha, …, alpha) over count categories (non-negative, summing to 1).</summary>
    public static double[] Symmetric(double alpha, int count, Rng rng)
    {
        if (count < 1)
        {
            throw new ArgumentException($"a Dirichlet draw needs at least one category (got {count})");
        }
        var logs = new double[count];
        for (int i = 0; i < count; i++)
        {
            logs[i] = LogGamma(alpha, rng);
        }
        double max = logs.Max(), sum = 0;
        for (int i = 0; i < count; i++)
        {
            logs[i] = Math.Exp(logs[i] - max);
            sum += logs[i];
        }
        for (int i = 0; i < count; i++)
        {
            logs[i] /= sum;
        }
        return logs;
    }
}
