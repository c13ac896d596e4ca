// A model's large frozen tensors held as bf16, half the bytes of fp32: every layer's seven linear weights, the embedding
// and an untied lm_head. Layers are widened one at a time into the fp32 scratch [largest layer's linears] that the
// model's layer views share; the head is widened HeadChunkRows rows at a time inside its products. One forward at a time.
using FedSpine.Tensors;

namespace FedSpine.Model;

internal sealed class Bf16FrozenWeights
{
    public const int HeadChunkRows = 1024;

    /// <summary>The linear weights of a layer, in the order they sit in the layer scratch.</summary>
    public static readonly string[] LinearNames =
    [
        "self_attn.q_proj.weight", "self_attn.k_proj.weight", "self_attn.v_proj.weight", "self_attn.o_proj.weight",
        "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight",
    ];

    private readonly ushort[][] _layers;   // per layer: its linear weights in LinearNames order, bf16
    private readonly ushort[] _embedding;  // [vocab, hidden]
    private readonly ushort[]? _lmHead;    // [vocab, hidden], untied models only
    private readonly float[] _headScratch; // [HeadChunkRows, hidden]
    private readonly int[][] _layerOffsets; // per layer: start of each linear weight, then the total
    private readonly int _hidden, _vocab;
    private int _widenedLayer = -1;

    public Bf16FrozenWeights(LlamaConfig config, IReadOnlyList<LayerShape> shapes)
    {
        _hidden = config.HiddenSize;
        _vocab = config.VocabSize;
        _layerOffsets = shapes.Select(s => Offsets(LinearLengths(config, s))).ToArray();
        _layers = _layerOffsets.Select(o => new ushort[o[^1]]).ToArray();
        LayerScratch = new float[_layers.Max(l => l.Length)];
        _embedding = new ushort[(long)_vocab * _hidden];
        _lmHead = config.TieWordEmbeddings ? null : new ushort[(long)_vocab * _hidden];
        _headScratch = new float[Math.Min(HeadChunkRows, _vocab) * _hidden];
    }

    /// <summary>Element counts of a layer's linear weights, in LinearNames order.</summary>
    public static int[] LinearLengths(LlamaConfig c, LayerShape s)
    {
        int d = c.HiddenSize, q = s.Heads * c.HeadDim, kv = s.KvHeads * c.HeadDim, f = s.FfnChannels;
        return [q * d, kv * d, kv * d, d * q, f * d, f * d, d * f];
    }

    /// <summary>True when the tensor of this HF name is held here (a layer linear, the embedding or lm_head).</summary>
    public static bool Holds(string name) =>
        name is "model.embed_tokens.weight" or "lm_head.weight" || LinearNames.Any(n => name.EndsWith("." + n, StringComparison.Ordinal));

    /// <summary>Stores values [the tensor's elements] of a held tensor as bf16.</summary>
    public void Narrow(string name, ReadOnlySpan<float> values)
    {
        switch (name)
        {
            case "model.embed_tokens.weight":
                Bf16.Narrow(values, _embedding);
                return;
            case "lm_head.weight":
                Bf16.Narrow(values, _lmHead);
                return;
        }
        // model.layers.{l}.{linear}
        string rest = name["model.layers.".Length..];
        int dot = rest.IndexOf('.', StringComparison.Ordinal);
        int layer = int.Parse(rest[..dot], System.Globalization.CultureInfo.InvariantCulture);
        int index = Array.IndexOf(LinearNames, rest[(dot + 1)..]);
        int[] offsets = _layerOffsets[layer];
        Bf16.Narrow(values, _layers[layer].AsSpan(offsets[index], offsets[index + 1] - offsets[index]));
    }

    /// <summary>Where each linear weight starts in a layer's store and scratch (one entry more: the total).</summary>
    public int LayerOffset(int layer, int index) => _layerOffsets[layer][index];

    /// <summary>fp32 [largest layer's linear elements]: the layer widened last.</summary>
    public float[] LayerScratch { get; }

    /// <summary>Bytes of the bf16 copies.</summary>
    public long Bytes => 2L * (_layers.Sum(l => (long)l.Length) + _embedding.Length + (_lmHead?.Length ?? 0));

    /// <summary>Bytes of the fp32 scratch (one layer, one head chunk).</summary>
    public long ScratchBytes => 4L * (LayerScratch.Length + _headScratch.Length);

    public void WidenLayer(int layer)
    {
        if (_widenedLayer != layer)
        {
            Bf16.Widen(_layers[layer], LayerScratch.AsSpan(0, _layers[layer].Length));
            _widenedLayer = layer;
        }
    }

    public void EmbeddingRow(int token, Span<float> destination) => Bf16.Widen(_embedding.AsSpan(token * _hidden, _hidden), destination);

    /// <summary>logits [rows, vocab] = x [rows, hidden]·headᵀ, a chunk of vocab rows of the head widened at a time.</summary>
    public void HeadForward(ReadOnlySpan<float> x, Span<float> logits, int rows)
    {
        for (int start = 0; start < _vocab; start += HeadChunkRows)
        {
            int n = Math.Min(HeadChunkRows, _vocab - start);
            var w = WidenHead(start, n); // [n, hidden]
            Gemm.Multiply(false, true, rows, n, _hidden, 1f, x, _hidden, w, _hidden, 0f, logits[start..], _vocab);
        }
    }

    /// <summary>dx [rows, hidden] = dLogits [rows, vocab]·head, summed over chunks of vocab rows.</summary>
    public void HeadBackward(ReadOnlySpan<float> dLogits, Span<float> dx, int rows)
    {
        for (int start = 0; start < _vocab; start += HeadChunkRows)
        {
            int n = Math.Min(HeadChunkRows, _vocab - start);
            var w = WidenHead(start, n);
            Gemm.Multiply(false, false, rows, _hidden, n, 1f, dLogits[start..], _vocab, w, _hidden, start == 0 ? 0f : 1f, dx, _hidden);
        }
    }

    private Span<float> WidenHead(int start, int count)
    {
        var w = _headScratch.AsSpan(0, count * _hidden);
        Bf16.Widen((_lmHead ?? _embedding).AsSpan(start * _hidden, count * _hidden), w);
        return w;
    }

    private static int[] Offsets(int[] lengths)
    {
        var offsets = new int[lengths.Length + 1];
        for (int i = 0; i < lengths.Length; i++)
        {
            offsets[i + 1] = offsets[i] + lengths[i];
        }
        return offsets;
    }
}
