// The factory that turns a run config's bandit name into an IBandit over a space with given settings; an unknown name
// is an ArgumentException that names it and lists the valid ones.
namespace FedSpine.Federated.Bandits;

public static class BanditFactory
{
    /// <summary>The names Create accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["sucb", "ucb1", "swucb", "exp3", "fixed", "random"];

    public static IBandit Create(string name, ArmSpace space, BanditSettings settings) => name switch
    {
        "sucb" => new SmoothUcb(space, settings),
        "ucb1" => new Ucb1Grid(space, settings),
        "swucb" => new SlidingWindowUcb(space, settings),
        "exp3" => new Exp3(space, settings),
        "fixed" => new FixedArm(space, settings),
        "random" => new RandomArm(space, settings),
        _ => throw new ArgumentException($"unknown bandit \"{name}\"; valid: {string.Join(", ", Names)}", nameof(name)),
    };
}
