// Forward and backward of a LLaMA model over a [batch, tokens] block: full-parameter gradients, LoRA gradients, or both.
// Loss is mean next-token cross-entropy over targets ≠ −1; the backbone can also be driven from a hidden-state gradient.
// Dispose hands the activation block to the next graph built on the same thread (ActivationBlockPool).
using FedSpine.Model.Lora;
using FedSpine.Tensors;

namespace FedSpine.Model.Training;

public sealed class TrainingGraph : IDisposable
{
    private readonly LlamaWeights _model;
    private readonly LoraWeights? _lora;
    private readonly LlamaWeights? _baseGrads;
    private readonly LoraWeights? _loraGrads;
    private readonly ActivationBuffers _acts;
    private readonly RopeTable _rope;
    private int[] _inputs = [];
    private bool _disposed;

    /// <param name="baseGrads">Gradient sink with the model's shapes (full training), or null for a frozen base.</param>
    /// <param name="loraGrads">Gradient sink with the adapters' shapes, or null.</param>
    public TrainingGraph(LlamaWeights model, LoraWeights? lora, LlamaWeights? baseGrads, LoraWeights? loraGrads, int batch, int tokens)
    {
        // dynamic RoPE exists to run beyond max_position_embeddings (it rescales theta for the longer sequence)
        if (tokens > model.Config.MaxPositionEmbeddings && model.Config.RopeScaling?.Type != "dynamic")
        {
            throw new ArgumentException($"{tokens} tokens per row exceed max_position_embeddings {model.Config.MaxPositionEmbeddings}");
        }
        if (baseGrads is not null && model.HoldsBf16)
        {
            throw new ArgumentException("full training updates the base weights, which must then be fp32, not held in bf16 (train LoRA adapters on a bf16 base)");
        }
        _model = model;
        _lora = lora;
        _baseGrads = baseGrads;
        _loraGrads = loraGrads;
        _acts = new ActivationBuffers(model, lora, batch, tokens, keepLogits: true);
        _rope = RopeFrequencies.ForSequence(model.Config, tokens);
    }

    public int Batch => _acts.Batch;
    public int Tokens => _acts.Tokens;

    /// <summary>Bytes held by activations and backward scratch.</summary>
    public long ActivationBytes => _acts.Bytes;

    /// <summary>ActivationBytes of a graph over these layer shapes and LoRA ranks (rankOf = 0 or null: no adapter),
    /// from the same buffer plan, without allocating.</summary>
    public static long PlannedActivationBytes(LlamaConfig config, IReadOnlyList<LayerShape> shapes, Func<int, LoraTarget, int>? rankOf, int batch, int tokens) =>
        ActivationBuffers.Plan(config, shapes, rankOf ?? ((_, _) => 0), batch, tokens, keepLogits: true).TotalBytes;

    /// <summary>Final-norm hidden states of the last forward: [batch·tokens, hidden].</summary>
    public Tensor Hidden => Live()._acts.NormF;

    /// <summary>Logits of the last Loss/ForwardBackward call before backward overwrote them: [batch·tokens, vocab].</summary>
    public Tensor Logits => Live()._acts.Logits!;

    /// <summary>Hands the activation block to the next graph built on this thread; the graph (and any Hidden or Logits
    /// taken from it) must not be used afterwards. A graph never disposed is simply collected.</summary>
    public void Dispose()
    {
        _disposed = true;
        _acts.Release();
    }

    /// <summary>Forward through the backbone to the final-norm hidden states. inputs: [batch·tokens] token ids.</summary>
    public void ForwardHidden(ReadOnlySpan<int> inputs)
    {
        Live();
        var c = _model.Config;
        int rows = _acts.Rows, d = c.HiddenSize;
        if (inputs.Length != rows)
        {
            throw new ArgumentException($"expected {rows} input tokens, got {inputs.Length}");
        }
        _inputs = inputs.ToArray();
        var x0 = _acts.Stream[0].Span;
        for (int r = 0; r < rows; r++)
        {
            int token = inputs[r];
            if ((uint)token >= (uint)c.VocabSize)
            {
                throw new ArgumentOutOfRangeException(nameof(inputs), $"token id {token} outside vocabulary of {c.VocabSize}");
            }
            _model.EmbeddingRow(token, x0.Slice(r * d, d));
        }
        for (int l = 0; l < _model.Layers.Count; l++)
        {
            LayerForward(l);
        }
        RmsNorm.Forward(_acts.Stream[^1].Span, _model.FinalNorm.Span, _acts.NormF.Span, _acts.RstdF.Span, rows, d, c.RmsNormEps);
    }

    /// <summary>Mean cross-entropy of the LM head's logits against targets [batch·tokens] (−1 = ignored); no gradients.</summary>
    public float Loss(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets)
    {
        ForwardHidden(inputs);
        ComputeLogits();
        return CrossEntropy.Forward(_acts.Logits!.Span, targets, _acts.Rows, _model.Config.VocabSize);
    }

    /// <summary>Loss and gradients (added into the gradient sinks; zero them between steps).</summary>
    public float ForwardBackward(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets)
    {
        ForwardHidden(inputs);
        ComputeLogits();
        int rows = _acts.Rows, d = _model.Config.HiddenSize, vocab = _model.Config.VocabSize;
        var logits = _acts.Logits!.Span;
        float loss = CrossEntropy.ForwardBackward(logits, targets, logits, rows, vocab); // logits now hold dLogits
        var dHidden = _acts.DNorm.Span[..(rows * d)];
        _model.HeadBackward(logits, dHidden, rows);
        if (_baseGrads is not null)
        {
            Gemm.DytX(logits, _acts.NormF.Span, _baseGrads.LmHead.Span, rows, vocab, d, accumulate: true);
        }
        BackwardFromHidden(dHidden);
        return loss;
    }

    /// <summary>Backward from dL/dHidden [batch·tokens, hidden] (a task head's gradient) through the whole backbone.</summary>
    public void BackwardFromHidden(ReadOnlySpan<float> dHidden)
    {
        Live();
        var c = _model.Config;
        int rows = _acts.Rows, d = c.HiddenSize;
        var dRes = _acts.DRes.Span;
        dRes.Clear();
        RmsNorm.Backward(dHidden, _acts.Stream[^1].Span, _model.FinalNorm.Span, _acts.RstdF.Span, dRes,
            _baseGrads is null ? Span<float>.Empty : _baseGrads.FinalNorm.Span, rows, d);
        for (int l = _model.Layers.Count - 1; l >= 0; l--)
        {
            LayerBackward(l);
        }
        if (_baseGrads is not null)
        {
            var dEmb = _baseGrads.TokenEmbedding.Span;
            for (int r = 0; r < rows; r++)
            {
                var row = dEmb.Slice(_inputs[r] * d, d);
                System.Numerics.Tensors.TensorPrimitives.Add(row, dRes.Slice(r * d, d), row);
            }
        }
    }

    private TrainingGraph Live() => _disposed ? throw new ObjectDisposedException(nameof(TrainingGraph), "the training graph was disposed (its buffers belong to another graph now)") : this;

    private void ComputeLogits()
    {
        _model.HeadForward(_acts.NormF.Span, _acts.Logits!.Span, _acts.Rows);
    }

    private void LayerForward(int l)
    {
        _model.PrepareLayer(l);
        var c = _model.Config;
        var w = _model.Layers[l];
        var a = _acts.Layers[l];
        var s = w.Shape;
        int rows = _acts.Rows, d = c.HiddenSize, hd = c.HeadDim, batch = _acts.Batch, tokens = _acts.Tokens;
        var x = _acts.Stream[l].Span;
        RmsNorm.Forward(x, w.AttnNorm.Span, a.Norm1.Span, a.Rstd1.Span, rows, d, c.RmsNormEps);
        LinearPass.Forward(a.Norm1.Span, w.Wq, Adapter(l, LoraTarget.Q), Xa(a, LoraTarget.Q), a.Q.Span, rows);
        LinearPass.Forward(a.Norm1.Span, w.Wk, Adapter(l, LoraTarget.K), Xa(a, LoraTarget.K), a.K.Span, rows);
        LinearPass.Forward(a.Norm1.Span, w.Wv, Adapter(l, LoraTarget.V), Xa(a, LoraTarget.V), a.V.Span, rows);
        BiasPass.Forward(w.Bq, a.Q.Span, rows);
        BiasPass.Forward(w.Bk, a.K.Span, rows);
        BiasPass.Forward(w.Bv, a.V.Span, rows);
        Rope.Apply(a.Q.Span, batch, tokens, s.Heads, hd, 0, _rope);
        Rope.Apply(a.K.Span, batch, tokens, s.KvHeads, hd, 0, _rope);
        CausalAttention.Forward(a.Q.Span, a.K.Span, a.V.Span, a.Attn.Span, a.Probs.Span, batch, tokens, s.Heads, s.KvHeads, hd, c.AttentionWindow);
        x.CopyTo(a.Mid.Span);
        LinearPass.Forward(a.Attn.Span, w.Wo, Adapter(l, LoraTarget.O), Xa(a, LoraTarget.O), a.Mid.Span, rows, accumulate: true);
        RmsNorm.Forward(a.Mid.Span, w.FfnNorm.Span, a.Norm2.Span, a.Rstd2.Span, rows, d, c.RmsNormEps);
        LinearPass.Forward(a.Norm2.Span, w.Gate, Adapter(l, LoraTarget.Gate), Xa(a, LoraTarget.Gate), a.Gate.Span, rows);
        LinearPass.Forward(a.Norm2.Span, w.Up, Adapter(l, LoraTarget.Up), Xa(a, LoraTarget.Up), a.Up.Span, rows);
        SwiGlu.Forward(a.Gate.Span, a.Up.Span, a.H.Span);
        var next = _acts.Stream[l + 1].Span;
        a.Mid.Span.CopyTo(next);
        LinearPass.Forward(a.H.Span, w.Down, Adapter(l, LoraTarget.Down), Xa(a, LoraTarget.Down), next, rows, accumulate: true);
    }

    private void LayerBackward(int l)
    {
        _model.PrepareLayer(l);
        var c = _model.Config;
        var w = _model.Layers[l];
        var g = _baseGrads?.Layers[l];
        var a = _acts.Layers[l];
        var s = w.Shape;
        int rows = _acts.Rows, d = c.HiddenSize, hd = c.HeadDim, batch = _acts.Batch, tokens = _acts.Tokens;
        int qDim = s.Heads * hd, kvDim = s.KvHeads * hd, ffn = s.FfnChannels;
        var dRes = _acts.DRes.Span;                 // [rows, hidden]: dL/d(stream after this layer)
        var dNorm = _acts.DNorm.Span[..(rows * d)]; // [rows, hidden]
        var dH = _acts.DH.Span[..(rows * ffn)];
        var dGate = _acts.DGate.Span[..(rows * ffn)];
        var dUp = _acts.DUp.Span[..(rows * ffn)];
        var dAttn = _acts.DAttn.Span[..(rows * qDim)];
        var dQ = _acts.DQ.Span[..(rows * qDim)];
        var dK = _acts.DK.Span[..(rows * kvDim)];
        var dV = _acts.DV.Span[..(rows * kvDim)];

        // Feed-forward: stream = mid + down(silu(gate(n2))·up(n2)), n2 = norm(mid)
        Linear(l, LoraTarget.Down, dRes, a.H.Span, w.Down, g?.Down, a, dH, accumulateDx: false);
        SwiGlu.Backward(dH, a.Gate.Span, a.Up.Span, dGate, dUp);
        Linear(l, LoraTarget.Gate, dGate, a.Norm2.Span, w.Gate, g?.Gate, a, dNorm, accumulateDx: false);
        Linear(l, LoraTarget.Up, dUp, a.Norm2.Span, w.Up, g?.Up, a, dNorm, accumulateDx: true);
        RmsNorm.Backward(dNorm, a.Mid.Span, w.FfnNorm.Span, a.Rstd2.Span, dRes, g is null ? Span<float>.Empty : g.FfnNorm.Span, rows, d);

        // Attention: mid = x + o(attn(rope(q(n1)), rope(k(n1)), v(n1))), n1 = norm(x)
        Linear(l, LoraTarget.O, dRes, a.Attn.Span, w.Wo, g?.Wo, a, dAttn, accumulateDx: false);
        CausalAttention.Backward(dAttn, a.Q.Span, a.K.Span, a.V.Span, a.Probs.Span, dQ, dK, dV, batch, tokens, s.Heads, s.KvHeads, hd);
        Rope.Apply(dQ, batch, tokens, s.Heads, hd, 0, _rope, inverse: true);
        Rope.Apply(dK, batch, tokens, s.KvHeads, hd, 0, _rope, inverse: true);
        BiasPass.Backward(dQ, g?.Bq, rows);
        BiasPass.Backward(dK, g?.Bk, rows);
        BiasPass.Backward(dV, g?.Bv, rows);
        Linear(l, LoraTarget.Q, dQ, a.Norm1.Span, w.Wq, g?.Wq, a, dNorm, accumulateDx: false);
        Linear(l, LoraTarget.K, dK, a.Norm1.Span, w.Wk, g?.Wk, a, dNorm, accumulateDx: true);
        Linear(l, LoraTarget.V, dV, a.Norm1.Span, w.Wv, g?.Wv, a, dNorm, accumulateDx: true);
        RmsNorm.Backward(dNorm, _acts.Stream[l].Span, w.AttnNorm.Span, a.Rstd1.Span, dRes, g is null ? Span<float>.Empty : g.AttnNorm.Span, rows, d);
    }

    private void Linear(int l, LoraTarget t, ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Tensor weight, Tensor? dWeight,
        LayerActivations a, Span<float> dx, bool accumulateDx) =>
        LinearPass.Backward(dy, x, weight, dWeight, Adapter(l, t), _loraGrads?[l, t], Xa(a, t), _acts.DLora.Span, dx, _acts.Rows, accumulateDx);

    private LoraAdapter? Adapter(int layer, LoraTarget target) => _lora?[layer, target];

    private static Span<float> Xa(LayerActivations a, LoraTarget target) =>
        a.LoraXa[(int)target] is { } t ? t.Span : Span<float>.Empty;
}
