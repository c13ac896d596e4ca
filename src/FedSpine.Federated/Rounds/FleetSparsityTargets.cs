// Per-device final sparsity with the fleet's mean held at S*: each device's preference (from its target bandit) is
// shifted by one common amount and clamped to [max(reached, S*−spread), S*+spread], the shift found so the mean is S*.
namespace FedSpine.Federated.Rounds;

public static class FleetSparsityTargets
{
    /// <summary>Targets t_i = clamp(preferred_i + λ, low_i, high_i) with λ such that mean(t) = S*: the Euclidean
    /// projection of the preferences onto {mean = S*} within the bounds. low_i = max(reached_i, S*−spread) because
    /// pruning cannot be undone; when the lower bounds alone exceed S* on average the mean cannot be held and the
    /// targets are the lower bounds.</summary>
    public static double[] Project(IReadOnlyList<double> preferred, IReadOnlyList<double> reached, double finalSparsity, double spread)
    {
        int n = preferred.Count;
        var low = new double[n];
        var high = new double[n];
        for (int i = 0; i < n; i++)
        {
            low[i] = Math.Max(reached[i], Math.Max(0, finalSparsity - spread));
            high[i] = Math.Max(low[i], finalSparsity + spread);
        }
        double Mean(double shift)
        {
            double sum = 0;
            for (int i = 0; i < n; i++)
            {
                sum += Math.Clamp(preferred[i] + shift, low[i], high[i]);
            }
            return sum / n;
        }
        // Mean(shift) is continuous and non-decreasing: bisect between a shift that puts every target at its low bound
        // and one that puts every target at its high bound.
        double lo = -2, hi = 2;
        if (Mean(lo) >= finalSparsity)
        {
            return low;
        }
        for (int iteration = 0; iteration < 100 && hi - lo > 1e-13; iteration++)
        {
            double mid = 0.5 * (lo + hi);
            if (Mean(mid) < finalSparsity)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        return preferred.Select((p, i) => Math.Clamp(p + hi, low[i], high[i])).ToArray();
    }
}
