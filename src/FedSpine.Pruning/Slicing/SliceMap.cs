// How to go from a model pruned by one mask to the same model pruned by a nested mask: per layer, the CURRENT positions
// of the query heads, KV heads and FFN channels that stay, and the config the smaller model gets.
using FedSpine.Model;

namespace FedSpine.Pruning;

public sealed class SliceMap
{
    private SliceMap(PruningMask current, PruningMask next, LlamaConfig config, int[][] heads, int[][] kvHeads, int[][] channels)
    {
        Current = current;
        Next = next;
        Config = config;
        HeadPositions = heads;
        KvPositions = kvHeads;
        ChannelPositions = channels;
    }

    public PruningMask Current { get; }
    public PruningMask Next { get; }

    /// <summary>Config of the sliced model (ModelSlicer.ConfigFor of the next shapes).</summary>
    public LlamaConfig Config { get; }

    public LayerShape[] Shapes => Next.Shapes;
    public IReadOnlyList<int[]> HeadPositions { get; }      // per layer: current indices of the query heads kept
    public IReadOnlyList<int[]> KvPositions { get; }        // per layer: current indices of the KV heads kept
    public IReadOnlyList<int[]> ChannelPositions { get; }   // per layer: current indices of the channels kept

    /// <summary>Map for a model with <paramref name="config"/> pruned by <paramref name="current"/>, to be pruned by
    /// <paramref name="next"/> (same original shapes, keeping only units <paramref name="current"/> keeps).</summary>
    public static SliceMap Create(LlamaConfig config, PruningMask current, PruningMask next)
    {
        current.Validate("current pruning mask");
        next.Validate("next pruning mask");
        if (current.Layers.Count != config.NumHiddenLayers || next.Layers.Count != config.NumHiddenLayers)
        {
            throw new ArgumentException($"masks of {current.Layers.Count} and {next.Layers.Count} layers for a model of {config.NumHiddenLayers}");
        }
        if (!next.IsSubsetOf(current))
        {
            throw new ArgumentException("the next pruning mask is not nested in the current one: it keeps a unit already removed or has other original shapes");
        }
        int n = config.NumHiddenLayers;
        var heads = new int[n][];
        var kvHeads = new int[n][];
        var channels = new int[n][];
        for (int l = 0; l < n; l++)
        {
            var c = current.Layers[l];
            var x = next.Layers[l];
            heads[l] = Positions(c.Heads, x.Heads);
            kvHeads[l] = Positions(c.KvHeads, x.KvHeads);
            channels[l] = Positions(c.Channels, x.Channels);
        }
        return new SliceMap(current, next, ModelSlicer.ConfigFor(config, next.Shapes), heads, kvHeads, channels);
    }

    /// <summary>Position in <paramref name="current"/> (ascending) of each entry of <paramref name="kept"/> (a subset).</summary>
    private static int[] Positions(IReadOnlyList<int> current, IReadOnlyList<int> kept)
    {
        var index = new Dictionary<int, int>(current.Count);
        for (int i = 0; i < current.Count; i++)
        {
            index[current[i]] = i;
        }
        return kept.Select(k => index[k]).ToArray();
    }
}
