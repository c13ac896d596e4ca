// A sequence-classification head on final hidden states: pool each row's real tokens (mean, or the last one as HF's
// LlamaForSequenceClassification), then logits = pooled·Wᵀ + b; softmax cross-entropy; gradients for W, b and the hidden states.
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using FedSpine.Tensors;

namespace FedSpine.Model.Tasks;

public enum Pooling
{
    /// <summary>Average over the row's real tokens (padding excluded).</summary>
    Mean,

    /// <summary>The row's last real token.</summary>
    LastToken,
}

public sealed class ClassificationHead
{
    private float[] _pooled = [];   // [batch, hidden]
    private float[] _logits = [];   // [batch, classes]; dLogits after backward
    private float[]? _trainingLogitOffsets;   // [classes]

    /// <summary>W uniform in ±1/sqrt(hidden) (torch.nn.Linear's bound) from rng, b zero; mean pooling unless told.</summary>
    public ClassificationHead(int hidden, int classes, Rng rng, Pooling pooling = Pooling.Mean)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Hidden = hidden;
        Classes = classes;
        Pooling = pooling;
        var t = new TensorArena().Add("w", classes, hidden).Add("b", classes).Add("dw", classes, hidden).Add("db", classes).Allocate();
        Weight = t["w"];
        Bias = t["b"];
        DWeight = t["dw"];
        DBias = t["db"];
        float bound = 1f / MathF.Sqrt(hidden);
        rng.FillUniform(Weight.Span, -bound, bound);
    }

    public int Hidden { get; }
    public int Classes { get; }
    public Pooling Pooling { get; }
    public Tensor Weight { get; }    // [classes, hidden]
    public Tensor Bias { get; }      // [classes]
    public Tensor DWeight { get; }   // [classes, hidden]
    public Tensor DBias { get; }     // [classes]

    /// <summary>Trainable tensors with their gradients, under HF's name for the head ("score").</summary>
    public IReadOnlyList<(string Name, Tensor Value, Tensor Grad)> Parameters => [("score.weight", Weight, DWeight), ("score.bias", Bias, DBias)];

    /// <summary>logits [batch, classes] of hidden [batch·tokens, hidden]; lengths [batch] gives each row's real tokens.</summary>
    public void Forward(ReadOnlySpan<float> hidden, ReadOnlySpan<int> lengths, int tokens, Span<float> logits)
    {
        int batch = lengths.Length;
        CheckShapes(hidden, lengths, tokens);
        if (logits.Length != batch * Classes)
        {
            throw new ArgumentException($"logits hold {logits.Length} floats; expected [{batch}, {Classes}]");
        }
        var pooled = Scratch(ref _pooled, batch * Hidden);
        Pool(hidden, lengths, tokens, pooled);
        Gemm.XWt(pooled, Weight.Span, logits, batch, Hidden, Classes);
        for (int b = 0; b < batch; b++)
        {
            TensorPrimitives.Add(logits.Slice(b * Classes, Classes), Bias.Span, logits.Slice(b * Classes, Classes));
        }
    }

    /// <summary>Mean cross-entropy over rows whose label is not −1; no gradients.</summary>
    public float Loss(ReadOnlySpan<float> hidden, ReadOnlySpan<int> lengths, ReadOnlySpan<int> labels, int tokens)
    {
        var logits = Scratch(ref _logits, lengths.Length * Classes);
        Forward(hidden, lengths, tokens, logits);
        return CrossEntropy.Forward(logits, labels, lengths.Length, Classes);
    }

    /// <summary>Per-class constants [classes] added to the logits in training only (logit adjustment: log of the
    /// training set's class prior, so the head learns evidence rather than a skewed local prior); null = none.
    /// Loss, Forward and evaluation never add them.</summary>
    public float[]? TrainingLogitOffsets
    {
        get => _trainingLogitOffsets;
        set
        {
            if (value is not null && value.Length != Classes)
            {
                throw new ArgumentException($"{value.Length} logit offsets for {Classes} classes");
            }
            _trainingLogitOffsets = value;
        }
    }

    /// <summary>Loss as Loss() (plus TrainingLogitOffsets when set); adds dL/dW and dL/db into DWeight and DBias, and writes dHidden [batch·tokens, hidden]
    /// (zero at padding, and everywhere in rows labelled −1).</summary>
    public float ForwardBackward(ReadOnlySpan<float> hidden, ReadOnlySpan<int> lengths, ReadOnlySpan<int> labels, int tokens, Span<float> dHidden)
    {
        int batch = lengths.Length, d = Hidden;
        if (dHidden.Length != hidden.Length)
        {
            throw new ArgumentException($"dHidden holds {dHidden.Length} floats; expected [{batch * tokens}, {d}]");
        }
        var logits = Scratch(ref _logits, batch * Classes);
        Forward(hidden, lengths, tokens, logits);
        if (_trainingLogitOffsets is { } offsets)
        {
            for (int b = 0; b < batch; b++)
            {
                TensorPrimitives.Add(logits.Slice(b * Classes, Classes), offsets, logits.Slice(b * Classes, Classes));
            }
        }
        var pooled = _pooled.AsSpan(0, batch * d);
        float loss = CrossEntropy.ForwardBackward(logits, labels, logits, batch, Classes); // logits now hold dLogits
        Gemm.DytX(logits, pooled, DWeight.Span, batch, Classes, d, accumulate: true);
        for (int b = 0; b < batch; b++)
        {
            TensorPrimitives.Add(DBias.Span, logits.Slice(b * Classes, Classes), DBias.Span);
        }
        Gemm.DyW(logits, Weight.Span, pooled, batch, Classes, d); // pooled now holds dPooled [batch, hidden]
        dHidden.Clear();
        for (int b = 0; b < batch; b++)
        {
            var dRow = pooled.Slice(b * d, d);
            int length = lengths[b];
            if (Pooling == Pooling.Mean)
            {
                TensorPrimitives.Multiply(dRow, 1f / length, dRow);
                for (int t = 0; t < length; t++)
                {
                    dRow.CopyTo(dHidden.Slice((b * tokens + t) * d, d));
                }
            }
            else
            {
                dRow.CopyTo(dHidden.Slice((b * tokens + length - 1) * d, d));
            }
        }
        return loss;
    }

    // pooled [batch, hidden] from hidden [batch·tokens, hidden].
    private void Pool(ReadOnlySpan<float> hidden, ReadOnlySpan<int> lengths, int tokens, Span<float> pooled)
    {
        int d = Hidden;
        for (int b = 0; b < lengths.Length; b++)
        {
            var row = pooled.Slice(b * d, d);
            int length = lengths[b];
            if (Pooling == Pooling.Mean)
            {
                row.Clear();
                for (int t = 0; t < length; t++)
                {
                    TensorPrimitives.Add(row, hidden.Slice((b * tokens + t) * d, d), row);
                }
                TensorPrimitives.Multiply(row, 1f / length, row);
            }
            else
            {
                hidden.Slice((b * tokens + length - 1) * d, d).CopyTo(row);
            }
        }
    }

    private void CheckShapes(ReadOnlySpan<float> hidden, ReadOnlySpan<int> lengths, int tokens)
    {
        if (hidden.Length != lengths.Length * tokens * Hidden)
        {
            throw new ArgumentException($"hidden states hold {hidden.Length} floats; expected [{lengths.Length}·{tokens}, {Hidden}]");
        }
        for (int b = 0; b < lengths.Length; b++)
        {
            if (lengths[b] < 1 || lengths[b] > tokens)
            {
                throw new ArgumentOutOfRangeException(nameof(lengths), $"row {b} has length {lengths[b]}; expected 1..{tokens}");
            }
        }
    }

    private static Span<float> Scratch(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[length];
        }
        return buffer.AsSpan(0, length);
    }
}
