// Single-token forward with a KV cache (batch 1), the inference path of generation and of latency benchmarks.
// LoRA adapters, when given, are applied unmerged; buffers are allocated once per decoder. Sliding windows (Mistral)
// read only the cache's last window positions; dynamic RoPE uses per-position frequencies (RopeFrequencies.ForDecoding).
using FedSpine.Model.Lora;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Model.Inference;

public sealed class CachedDecoder
{
    private readonly LlamaWeights _model;
    private readonly LoraWeights? _lora;
    private readonly RopeTable _rope;
    private readonly float[] _x;       // [hidden] residual stream
    private readonly float[] _xb;      // [hidden] normed stream
    private readonly float[] _q;       // [maxHeads·headDim]
    private readonly float[] _k;       // [maxKvHeads·headDim]
    private readonly float[] _v;       // [maxKvHeads·headDim]
    private readonly float[] _att;     // [maxHeads·headDim]
    private readonly float[] _gate;    // [maxFfn]
    private readonly float[] _up;      // [maxFfn]
    private readonly float[] _scores;  // [maxHeads, capacity]
    private readonly float[] _xa;      // [maxRank]
    private readonly float[] _rstd = new float[1];

    public CachedDecoder(LlamaWeights model, LoraWeights? lora = null, int? capacity = null)
    {
        var c = model.Config;
        _model = model;
        _lora = lora;
        int cap = capacity ?? c.MaxPositionEmbeddings;
        Cache = new KvCache(model, cap);
        _rope = RopeFrequencies.ForDecoding(c, cap);
        int maxH = model.Layers.Max(l => l.Shape.Heads), maxKv = model.Layers.Max(l => l.Shape.KvHeads);
        int maxF = model.Layers.Max(l => l.Shape.FfnChannels);
        int maxR = lora?.Adapters.Select(a => a.Adapter.Rank).DefaultIfEmpty(1).Max() ?? 1;
        _x = new float[c.HiddenSize];
        _xb = new float[c.HiddenSize];
        _q = new float[maxH * c.HeadDim];
        _att = new float[maxH * c.HeadDim];
        _k = new float[maxKv * c.HeadDim];
        _v = new float[maxKv * c.HeadDim];
        _gate = new float[maxF];
        _up = new float[maxF];
        _scores = new float[maxH * cap];
        _xa = new float[maxR];
        Logits = new float[c.VocabSize];
    }

    public KvCache Cache { get; }

    /// <summary>Logits [vocab] of the last Step.</summary>
    public float[] Logits { get; }

    /// <summary>Runs one token at a position (positions must be fed in order from 0) and fills Logits.</summary>
    public float[] Step(int token, int position)
    {
        var c = _model.Config;
        int d = c.HiddenSize, hd = c.HeadDim;
        if ((uint)token >= (uint)c.VocabSize)
        {
            throw new ArgumentOutOfRangeException(nameof(token), $"token id {token} outside vocabulary of {c.VocabSize}");
        }
        if ((uint)position >= (uint)Cache.Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(position), $"position {position} beyond context of {Cache.Capacity}");
        }
        _model.EmbeddingRow(token, _x);
        for (int l = 0; l < _model.Layers.Count; l++)
        {
            _model.PrepareLayer(l);
            var w = _model.Layers[l];
            var s = w.Shape;
            int qDim = s.Heads * hd, kvDim = s.KvHeads * hd, ffn = s.FfnChannels;
            var q = _q.AsSpan(0, qDim);
            var k = _k.AsSpan(0, kvDim);
            var v = _v.AsSpan(0, kvDim);
            var att = _att.AsSpan(0, qDim);
            RmsNorm.Forward(_x, w.AttnNorm.Span, _xb, _rstd, 1, d, c.RmsNormEps);
            Linear(l, LoraTarget.Q, _xb, w.Wq, q, false);
            Linear(l, LoraTarget.K, _xb, w.Wk, k, false);
            Linear(l, LoraTarget.V, _xb, w.Wv, v, false);
            BiasPass.Forward(w.Bq, q, 1);
            BiasPass.Forward(w.Bk, k, 1);
            BiasPass.Forward(w.Bv, v, 1);
            Rope.Apply(q, 1, 1, s.Heads, hd, position, _rope);
            Rope.Apply(k, 1, 1, s.KvHeads, hd, position, _rope);
            Cache.Write(l, position, k, v);
            CausalAttention.Decode(q, Cache.Keys[l].Span, Cache.Values[l].Span, att, _scores, position + 1, Cache.Capacity, s.Heads, s.KvHeads, hd, c.AttentionWindow);
            Linear(l, LoraTarget.O, att, w.Wo, _x, true);
            RmsNorm.Forward(_x, w.FfnNorm.Span, _xb, _rstd, 1, d, c.RmsNormEps);
            var gate = _gate.AsSpan(0, ffn);
            var up = _up.AsSpan(0, ffn);
            Linear(l, LoraTarget.Gate, _xb, w.Gate, gate, false);
            Linear(l, LoraTarget.Up, _xb, w.Up, up, false);
            SwiGlu.Forward(gate, up, gate);
            Linear(l, LoraTarget.Down, gate, w.Down, _x, true);
        }
        RmsNorm.Forward(_x, _model.FinalNorm.Span, _xb, _rstd, 1, d, c.RmsNormEps);
        _model.HeadForward(_xb, Logits, 1);
        return Logits;
    }

    private void Linear(int layer, LoraTarget target, ReadOnlySpan<float> x, Tensor weight, Span<float> y, bool accumulate)
    {
        var adapter = _lora?[layer, target];
        int outDim = weight.Dim(0), inDim = weight.Dim(1);
        Gemm.XWt(x, weight.Span, y, 1, inDim, outDim, accumulate);
        if (adapter is not null)
        {
            var xa = _xa.AsSpan(0, adapter.Rank);
            Gemm.XWt(x, adapter.A.Span, xa, 1, inDim, adapter.Rank);
            Gemm.Multiply(false, true, 1, outDim, adapter.Rank, adapter.Scale, xa, adapter.Rank, adapter.B.Span, adapter.Rank, 1f, y, outDim);
        }
    }
}
