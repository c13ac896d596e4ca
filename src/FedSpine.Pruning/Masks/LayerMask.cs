// One decoder layer's kept units in ORIGINAL (unpruned) coordinates: query heads and FFN channels, sorted ascending.
// Key/value heads are implied (a KV head stays while any of its contiguous query heads stays); checked by Validate.
using System.Text.Json.Serialization;
using FedSpine.Model;

namespace FedSpine.Pruning;

public sealed record LayerMask
{
    private readonly int[] _heads;
    private readonly int[] _channels;

    [JsonConstructor]
    public LayerMask(int originalHeads, int originalKvHeads, int originalChannels, IReadOnlyList<int> heads, IReadOnlyList<int> channels)
    {
        ArgumentNullException.ThrowIfNull(heads);
        ArgumentNullException.ThrowIfNull(channels);
        OriginalHeads = originalHeads;
        OriginalKvHeads = originalKvHeads;
        OriginalChannels = originalChannels;
        _heads = heads.ToArray();
        _channels = channels.ToArray();
    }

    [JsonPropertyName("original_heads")] public int OriginalHeads { get; }
    [JsonPropertyName("original_kv_heads")] public int OriginalKvHeads { get; }
    [JsonPropertyName("original_channels")] public int OriginalChannels { get; }

    /// <summary>Kept query heads, original indices, ascending.</summary>
    [JsonPropertyName("heads")] public IReadOnlyList<int> Heads => _heads;

    /// <summary>Kept FFN channels, original indices, ascending.</summary>
    [JsonPropertyName("channels")] public IReadOnlyList<int> Channels => _channels;

    /// <summary>Query heads per KV head in the original layer.</summary>
    [JsonIgnore] public int OriginalGroupSize => OriginalHeads / OriginalKvHeads;

    /// <summary>Kept KV heads (original indices, ascending): those with at least one kept query head.</summary>
    [JsonIgnore] public int[] KvHeads => _heads.Select(h => h / OriginalGroupSize).Distinct().ToArray();

    [JsonIgnore] public LayerShape OriginalShape => new(OriginalHeads, OriginalKvHeads, OriginalChannels);

    /// <summary>The layer's shape after pruning.</summary>
    [JsonIgnore] public LayerShape Shape => new(_heads.Length, KvHeads.Length, _channels.Length);

    /// <summary>Every unit of a layer kept.</summary>
    public static LayerMask Full(LayerShape shape) =>
        new(shape.Heads, shape.KvHeads, shape.FfnChannels, Enumerable.Range(0, shape.Heads).ToArray(), Enumerable.Range(0, shape.FfnChannels).ToArray());

    /// <summary>Throws InvalidDataException naming the layer when the mask cannot describe a standard pruned LLaMA layer.</summary>
    public void Validate(string source, int layer)
    {
        void Require(bool ok, string what)
        {
            if (!ok)
            {
                throw new InvalidDataException($"{source}: pruning mask of layer {layer}: {what}");
            }
        }
        Require(OriginalHeads > 0 && OriginalKvHeads > 0 && OriginalHeads % OriginalKvHeads == 0,
            $"original_kv_heads ({OriginalKvHeads}) must be positive and divide original_heads ({OriginalHeads})");
        Require(OriginalChannels > 0, $"original_channels must be positive (got {OriginalChannels})");
        Require(_heads.Length > 0, "keeps no attention head");
        Require(_channels.Length > 0, "keeps no FFN channel");
        CheckIndices(_heads, OriginalHeads, "head", Require);
        CheckIndices(_channels, OriginalChannels, "channel", Require);
        int g = OriginalGroupSize;
        var perGroup = _heads.GroupBy(h => h / g).Select(grp => (Group: grp.Key, Count: grp.Count())).ToArray();
        Require(perGroup.All(p => p.Count == perGroup[0].Count),
            "inconsistent KV groups: every kept KV head must keep the same number of query heads (kept per group: " +
            string.Join(", ", perGroup.Select(p => $"kv {p.Group}: {p.Count}")) + ")");
    }

    public bool Equals(LayerMask? other) =>
        other is not null && OriginalHeads == other.OriginalHeads && OriginalKvHeads == other.OriginalKvHeads &&
        OriginalChannels == other.OriginalChannels && _heads.AsSpan().SequenceEqual(other._heads) && _channels.AsSpan().SequenceEqual(other._channels);

    public override int GetHashCode() => HashCode.Combine(OriginalHeads, OriginalKvHeads, OriginalChannels, _heads.Length, _channels.Length);

    private static void CheckIndices(int[] indices, int count, string unit, Action<bool, string> require)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            require((uint)indices[i] < (uint)count, $"{unit} index {indices[i]} is outside 0..{count - 1}");
            if (i > 0)
            {
                require(indices[i] > indices[i - 1], $"{unit} indices must be strictly ascending ({indices[i - 1]} then {indices[i]})");
            }
        }
    }
}
