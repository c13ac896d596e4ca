// A per-device online learner over arms: Select an arm that fits (never one the predicate rejects), then hear its reward
// in [0,1]. Its whole state round-trips through SaveState/LoadState so a resumed run continues identically.
using FedSpine.Tensors;

namespace FedSpine.Federated.Bandits;

public interface IBandit
{
    /// <summary>Name as selected in run configs: "sucb", "ucb1", "swucb", "exp3", "fixed", "random".</summary>
    string Name { get; }

    /// <summary>The arm to play this round, drawing any randomness from rng; null when no arm satisfies fits.</summary>
    Arm? Select(Rng rng, Func<Arm, bool> fits);

    /// <summary>The reward (in [0,1]) of the arm returned by the last Select; discounting bandits age their statistics here.</summary>
    void Update(Arm played, double reward);

    /// <summary>The bandit's whole state as JSON.</summary>
    string SaveState();

    /// <summary>Restores a state written by SaveState of a bandit built with the same settings.</summary>
    void LoadState(string json);
}
