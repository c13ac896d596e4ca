// Importance of every unit of a model in its CURRENT (possibly pruned) coordinates, one estimate from one step:
// per layer a score per query head and per FFN channel (higher = more important).
namespace FedSpine.Pruning;

public sealed class UnitScores
{
    public UnitScores(IReadOnlyList<float[]> heads, IReadOnlyList<float[]> channels)
    {
        if (heads.Count != channels.Count)
        {
            throw new ArgumentException($"{heads.Count} layers of head scores but {channels.Count} of channel scores");
        }
        Heads = heads;
        Channels = channels;
    }

    public IReadOnlyList<float[]> Heads { get; }      // per layer [heads]
    public IReadOnlyList<float[]> Channels { get; }   // per layer [ffnChannels]
}
