// Exponential moving average of unit scores in ORIGINAL (unpruned) coordinates, so scores survive successive prunes:
// each step s ← decay·s + (1 − decay)·new for the units still kept (default 0.9 old / 0.1 new, starting from zero).
using FedSpine.Model;

namespace FedSpine.Pruning;

public sealed class ImportanceTracker
{
    private readonly float[][] _heads;
    private readonly float[][] _channels;

    public ImportanceTracker(IReadOnlyList<LayerShape> originalShapes, double decay = 0.9)
    {
        if (!double.IsFinite(decay) || decay < 0 || decay >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(decay), $"importance decay must be in [0, 1) (got {decay})");
        }
        Decay = decay;
        _heads = originalShapes.Select(s => new float[s.Heads]).ToArray();
        _channels = originalShapes.Select(s => new float[s.FfnChannels]).ToArray();
    }

    public double Decay { get; }

    /// <summary>Number of estimates folded in.</summary>
    public int Updates { get; private set; }

    public IReadOnlyList<float[]> Heads => _heads;         // per layer [originalHeads]
    public IReadOnlyList<float[]> Channels => _channels;   // per layer [originalChannels]

    /// <summary>Folds in one estimate made on a model pruned by <paramref name="mask"/> (scores in its current coordinates).</summary>
    public void Update(UnitScores scores, PruningMask mask)
    {
        if (mask.Layers.Count != _heads.Length || scores.Heads.Count != _heads.Length)
        {
            throw new ArgumentException($"scores for {scores.Heads.Count} layers and a mask of {mask.Layers.Count} layers, tracker has {_heads.Length}");
        }
        float keep = (float)Decay, take = (float)(1 - Decay);
        for (int l = 0; l < _heads.Length; l++)
        {
            var layer = mask.Layers[l];
            if (layer.OriginalHeads != _heads[l].Length || layer.OriginalChannels != _channels[l].Length)
            {
                throw new ArgumentException($"layer {l}: mask's original shape {layer.OriginalShape} differs from the tracker's ({_heads[l].Length} heads, {_channels[l].Length} channels)");
            }
            Fold(_heads[l], layer.Heads, scores.Heads[l], keep, take, $"layer {l} heads");
            Fold(_channels[l], layer.Channels, scores.Channels[l], keep, take, $"layer {l} channels");
        }
        Updates++;
    }

    /// <summary>Replaces the averages and update count with saved ones (a resumed run); shapes must match.</summary>
    public void Restore(IReadOnlyList<float[]> heads, IReadOnlyList<float[]> channels, int updates)
    {
        if (heads.Count != _heads.Length || channels.Count != _channels.Length ||
            heads.Where((h, l) => h.Length != _heads[l].Length).Any() || channels.Where((c, l) => c.Length != _channels[l].Length).Any())
        {
            throw new ArgumentException("saved importance does not match the tracker's layer shapes");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(updates);
        for (int l = 0; l < _heads.Length; l++)
        {
            heads[l].CopyTo(_heads[l], 0);
            channels[l].CopyTo(_channels[l], 0);
        }
        Updates = updates;
    }

    private static void Fold(float[] average, IReadOnlyList<int> kept, float[] current, float keep, float take, string what)
    {
        if (current.Length != kept.Count)
        {
            throw new ArgumentException($"{what}: {current.Length} scores for {kept.Count} kept units");
        }
        for (int i = 0; i < kept.Count; i++)
        {
            average[kept[i]] = keep * average[kept[i]] + take * current[i];
        }
    }
}
