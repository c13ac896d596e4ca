// The one check every bandit's Update makes on a reward: finite and within [0, 1], else ArgumentOutOfRangeException
// naming the value, so a broken reward signal fails loudly instead of corrupting the learner's statistics.
namespace FedSpine.Federated.Bandits;

internal static class RewardGuard
{
    public static void Check(double reward)
    {
        if (!double.IsFinite(reward) || reward < 0 || reward > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(reward), reward, "a bandit reward must be finite and in [0, 1]");
        }
    }
}
