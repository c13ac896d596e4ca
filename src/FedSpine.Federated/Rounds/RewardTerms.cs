// One device's reward in one round with every term logged: the raw values, their normalised forms and the final reward.
namespace FedSpine.Federated.Rounds;

/// <param name="LossGain">(L_before − L_after) / L_before.</param>
/// <param name="Progress">s_i / S* (1 when S* is 0).</param>
/// <param name="UpdateNorm">Σ over modules of ||(α/r)·B·A||_F of the upload.</param>
/// <param name="TimeFactor">min(1, T_mean / T_i) over the round's accepted devices.</param>
public sealed record RewardTerms(double LossGain, double Progress, double UpdateNorm, double TimeFactor,
    double LossGainNormalized, double ProgressNormalized, double UpdateNormNormalized, double Reward);
