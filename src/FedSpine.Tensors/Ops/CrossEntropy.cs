// Softmax cross-entropy over vocabulary rows, mean over counted rows; target −1 means "ignore this row".
// Fast kernel (max-shifted log-sum-exp per row with TensorPrimitives, rows spread over the pool); see CrossEntropyReference.
using System.Numerics.Tensors;

namespace FedSpine.Tensors;

public static class CrossEntropy
{
    public const int IgnoreIndex = -1;

    // Elements per stack block of exponentials (loss-only path).
    private const int Block = 1024;

    /// <summary>Mean loss. logits: [rows, vocab]; targets: [rows].</summary>
    public static float Forward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, int rows, int vocab)
        => Run(logits, targets, Span<float>.Empty, rows, vocab);

    /// <summary>Mean loss, and dLogits [rows, vocab] = (softmax − onehot)/countedRows (zero rows for ignored targets).
    /// dLogits may alias logits (in-place backward saves a [rows, vocab] buffer).</summary>
    public static float ForwardBackward(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> dLogits, int rows, int vocab)
    {
        OpsArgs.Holds(dLogits.Length, (long)rows * vocab, nameof(dLogits));
        return Run(logits, targets, dLogits[..(rows * vocab)], rows, vocab);
    }

    /// <summary>Shared with CrossEntropyReference: checks shapes and targets; returns the number of counted rows.</summary>
    internal static int CountTargets(int logitsLength, ReadOnlySpan<int> targets, int rows, int vocab)
    {
        OpsArgs.AtLeast(rows, 0, nameof(rows));
        OpsArgs.AtLeast(vocab, 1, nameof(vocab));
        OpsArgs.Holds(logitsLength, (long)rows * vocab, "logits");
        OpsArgs.Holds(targets.Length, rows, nameof(targets));
        int counted = 0;
        for (int r = 0; r < rows; r++)
        {
            int t = targets[r];
            if (t == IgnoreIndex)
            {
                continue;
            }
            if ((uint)t >= (uint)vocab)
            {
                throw new ArgumentOutOfRangeException(nameof(targets), $"target {t} of row {r} is outside vocabulary of {vocab}");
            }
            counted++;
        }
        return counted;
    }

    // dLogits is empty for the loss alone, else exactly [rows, vocab].
    private static float Run(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> dLogits, int rows, int vocab)
    {
        int counted = CountTargets(logits.Length, targets, rows, vocab);
        if (counted == 0)
        {
            dLogits.Clear();
            return 0f;
        }
        double sum = OpsParallel.IsSmall(rows, vocab)
            ? RowsLoss(logits, targets, dLogits, 0, rows, vocab, counted)
            : ParallelLoss(logits, targets, dLogits, rows, vocab, counted);
        return (float)(sum / counted);
    }

    // Per-chunk loss sums, added in chunk order so the result does not depend on scheduling.
    private static unsafe double ParallelLoss(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> dLogits, int rows, int vocab, int counted)
    {
        int rowsPerChunk = OpsParallel.RowsPerChunk(rows, vocab);
        var chunkSums = new double[OpsParallel.ChunkCount(rows, rowsPerChunk)];
        int n = rows * vocab, nd = dLogits.Length;
        fixed (float* pl = logits, pd = dLogits)
        fixed (int* pt = targets)
        {
            float* cl = pl, cd = pd; // fixed locals cannot be captured
            int* ct = pt;
            WorkerPool.For(chunkSums.Length, c =>
            {
                int r0 = c * rowsPerChunk;
                chunkSums[c] = RowsLoss(new ReadOnlySpan<float>(cl, n), new ReadOnlySpan<int>(ct, rows), new Span<float>(cd, nd),
                    r0, Math.Min(rows, r0 + rowsPerChunk), vocab, counted);
            });
        }
        double sum = 0;
        foreach (double s in chunkSums)
        {
            sum += s;
        }
        return sum;
    }

    // logits, dLogits: [rows, vocab] (dLogits empty for the loss alone, may alias logits); rows [r0, r1) only.
    // Returns Σ (logsumexp(row) − row[target]) over counted rows.
    private static double RowsLoss(ReadOnlySpan<float> logits, ReadOnlySpan<int> targets, Span<float> dLogits, int r0, int r1, int vocab, int counted)
    {
        bool backward = !dLogits.IsEmpty;
        double sum = 0;
        for (int r = r0; r < r1; r++)
        {
            int t = targets[r];
            var row = logits.Slice(r * vocab, vocab);
            if (t == IgnoreIndex)
            {
                if (backward)
                {
                    dLogits.Slice(r * vocab, vocab).Clear();
                }
                continue;
            }
            float max = TensorPrimitives.Max(row);
            float targetLogit = row[t];
            float sumExp;
            if (backward)
            {
                var drow = dLogits.Slice(r * vocab, vocab);
                FlushedExp.Apply(row, max, drow);
                sumExp = TensorPrimitives.Sum(drow);
                TensorPrimitives.Multiply(drow, (float)(1.0 / ((double)sumExp * counted)), drow);
                drow[t] -= (float)(1.0 / counted);
            }
            else
            {
                sumExp = SumExpShifted(row, max);
            }
            sum += max + Math.Log(sumExp) - targetLogit;
        }
        return sum;
    }

    // Σ exp(x − shift) over a row, a stack block at a time.
    private static float SumExpShifted(ReadOnlySpan<float> x, float shift)
    {
        Span<float> block = stackalloc float[Block];
        float sum = 0;
        for (int b0 = 0; b0 < x.Length; b0 += Block)
        {
            var e = block[..Math.Min(Block, x.Length - b0)];
            FlushedExp.Apply(x.Slice(b0, e.Length), shift, e);
            sum += TensorPrimitives.Sum(e);
        }
        return sum;
    }
}
