// Which units of every layer a pruned model keeps, in the unpruned model's coordinates; JSON-serialisable, so masks
// can be sent, stored and scattered back. Successive prunes give nested masks (each a subset of the one before).
using System.Text.Json;
using System.Text.Json.Serialization;
using FedSpine.Model;

namespace FedSpine.Pruning;

public sealed record PruningMask
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly LayerMask[] _layers;

    [JsonConstructor]
    public PruningMask(IReadOnlyList<LayerMask> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        _layers = layers.ToArray();
    }

    [JsonPropertyName("layers")] public IReadOnlyList<LayerMask> Layers => _layers;

    /// <summary>Current (pruned) shape of every layer.</summary>
    [JsonIgnore] public LayerShape[] Shapes => _layers.Select(l => l.Shape).ToArray();

    /// <summary>Shape of every layer before pruning.</summary>
    [JsonIgnore] public LayerShape[] OriginalShapes => _layers.Select(l => l.OriginalShape).ToArray();

    /// <summary>Nothing pruned: every unit of layers with these shapes kept.</summary>
    public static PruningMask Full(IReadOnlyList<LayerShape> shapes) => new(shapes.Select(LayerMask.Full).ToArray());

    public void Validate(string source)
    {
        if (_layers.Length == 0)
        {
            throw new InvalidDataException($"{source}: pruning mask has no layers");
        }
        for (int l = 0; l < _layers.Length; l++)
        {
            _layers[l].Validate(source, l);
        }
    }

    /// <summary>True when every unit this mask keeps is also kept by <paramref name="other"/> (same original shapes).</summary>
    public bool IsSubsetOf(PruningMask other) =>
        other._layers.Length == _layers.Length &&
        _layers.Zip(other._layers).All(p => p.First.OriginalShape == p.Second.OriginalShape &&
                                           !p.First.Heads.Except(p.Second.Heads).Any() &&
                                           !p.First.Channels.Except(p.Second.Channels).Any());

    public string ToJson() => JsonSerializer.Serialize(this, Indented);

    /// <summary>Parses and validates a mask; <paramref name="source"/> names it in errors.</summary>
    public static PruningMask FromJson(string json, string source = "pruning mask")
    {
        PruningMask? mask;
        try
        {
            mask = JsonSerializer.Deserialize<PruningMask>(json);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            // A missing "layers", "heads" or "channels" list reaches the constructors as null.
            throw new InvalidDataException($"{source}: not a valid pruning mask ({e.Message})", e);
        }
        if (mask is null || mask._layers.Any(l => l is null))
        {
            throw new InvalidDataException($"{source}: pruning mask JSON holds null where a mask or layer was expected");
        }
        mask.Validate(source);
        return mask;
    }

    public void Save(string path) => File.WriteAllText(path, ToJson() + "\n");

    public static PruningMask Load(string path) => FromJson(File.ReadAllText(path), path);

    public bool Equals(PruningMask? other) => other is not null && _layers.AsSpan().SequenceEqual(other._layers);

    public override int GetHashCode() => _layers.Length;
}
