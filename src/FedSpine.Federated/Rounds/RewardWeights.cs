// Weights of the bandit reward's three terms (loss improvement, pruning progress, update norm); the reward is their
// weighted mean, each term min-max normalised over the round's devices, times min(1, T_mean / T_i).
namespace FedSpine.Federated.Rounds;

public sealed record RewardWeights(double LossGain = 1.0 / 3, double Progress = 1.0 / 3, double UpdateNorm = 1.0 / 3)
{
    public void Validate()
    {
        double[] all = [LossGain, Progress, UpdateNorm];
        if (all.Any(w => !double.IsFinite(w) || w < 0) || all.Sum() <= 0)
        {
            throw new ArgumentException($"reward weights must be non-negative with a positive sum (got {LossGain}, {Progress}, {UpdateNorm})");
        }
    }
}
