// The S-UCB reward of the specification: R_i = [a1·n(gain) + a2·n(progress) + a3·n(norm)] / (a1+a2+a3) · min(1, T_mean/T_i),
// n(·) = min-max over this round's devices (0.5 when all are equal), so R_i ∈ [0, 1]; late or unfit devices get 0.
namespace FedSpine.Federated.Rounds;

public static class RewardCalculator
{
    /// <summary>Rewards of the round's accepted devices, in input order.</summary>
    public static IReadOnlyList<RewardTerms> Compute(IReadOnlyList<(double LossGain, double Progress, double UpdateNorm, double Seconds)> devices, RewardWeights w)
    {
        if (devices.Count == 0)
        {
            return [];
        }
        double meanTime = devices.Average(d => d.Seconds);
        var gain = Normalize(devices.Select(d => d.LossGain).ToArray());
        var progress = Normalize(devices.Select(d => d.Progress).ToArray());
        var norm = Normalize(devices.Select(d => d.UpdateNorm).ToArray());
        double total = w.LossGain + w.Progress + w.UpdateNorm;
        var result = new RewardTerms[devices.Count];
        for (int i = 0; i < devices.Count; i++)
        {
            var d = devices[i];
            double timeFactor = d.Seconds <= 0 ? 1 : Math.Min(1, meanTime / d.Seconds);
            double mix = (w.LossGain * gain[i] + w.Progress * progress[i] + w.UpdateNorm * norm[i]) / total;
            result[i] = new RewardTerms(d.LossGain, d.Progress, d.UpdateNorm, timeFactor, gain[i], progress[i], norm[i],
                Math.Clamp(mix * timeFactor, 0, 1));
        }
        return result;
    }

    private static double[] Normalize(double[] values)
    {
        double min = values.Min(), max = values.Max();
        return values.Select(v => max - min <= 1e-12 * Math.Max(1, Math.Abs(max)) ? 0.5 : (v - min) / (max - min)).ToArray();
    }
}
