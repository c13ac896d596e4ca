// The tunables of every bandit kind, with the defaults a run gets when it names none. A bandit reads only its own
// fields; Validate rejects values outside their meaningful ranges with a message naming the field.
namespace FedSpine.Federated.Bandits;

public sealed record BanditSettings
{
    /// <summary>S-UCB smoothness scale ν of the depth bonus ν·ρ^depth.</summary>
    public double Nu { get; init; } = 1.0;

    /// <summary>S-UCB smoothness decay ρ in (0, 1] of the depth bonus ν·ρ^depth.</summary>
    public double Rho { get; init; } = 0.5;

    /// <summary>UCB family (sucb, ucb1, swucb): scale c of the confidence term c·sqrt(2 ln t / n); 1 is the textbook bonus.</summary>
    public double Exploration { get; init; } = 1.0;

    /// <summary>S-UCB discount γ in (0, 1]: every node's count and reward sum are multiplied by it at each Update.</summary>
    public double Discount { get; init; } = 0.9;

    /// <summary>S-UCB: leaves at this depth are no longer split (the root has depth 0).</summary>
    public int MaxDepth { get; init; } = 10;

    /// <summary>Sliding-window UCB: how many of the most recent plays count.</summary>
    public int Window { get; init; } = 20;

    /// <summary>EXP3 exploration γ_exp in (0, 1]: the uniform share mixed into the distribution (also its learning rate / K).</summary>
    public double Exp3Gamma { get; init; } = 0.1;

    /// <summary>The arm of the "fixed" bandit; null means MinStep with the middle rank (lower middle for an even count).</summary>
    public Arm? FixedArm { get; init; }

    public void Validate()
    {
        if (!(Nu >= 0 && double.IsFinite(Nu)))
        {
            throw new ArgumentException($"bandit setting Nu must be finite and >= 0 (got {Nu})");
        }
        if (!(Exploration >= 0 && double.IsFinite(Exploration)))
        {
            throw new ArgumentException($"bandit setting Exploration must be finite and >= 0 (got {Exploration})");
        }
        if (!(Rho > 0 && Rho <= 1))
        {
            throw new ArgumentException($"bandit setting Rho must be in (0, 1] (got {Rho})");
        }
        if (!(Discount > 0 && Discount <= 1))
        {
            throw new ArgumentException($"bandit setting Discount must be in (0, 1] (got {Discount})");
        }
        if (MaxDepth is < 0 or > 30)
        {
            throw new ArgumentException($"bandit setting MaxDepth must be in 0..30 (got {MaxDepth})");
        }
        if (Window < 1)
        {
            throw new ArgumentException($"bandit setting Window must be at least 1 (got {Window})");
        }
        if (!(Exp3Gamma > 0 && Exp3Gamma <= 1))
        {
            throw new ArgumentException($"bandit setting Exp3Gamma must be in (0, 1] (got {Exp3Gamma})");
        }
    }
}
