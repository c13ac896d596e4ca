// Causal scaled-dot-product attention with grouped-query heads (query head h reads kv head h / (heads/kvHeads)), optionally
// within a sliding window (query i reads keys i − window < j ≤ i, Mistral). Training forward/backward keep the
// probabilities (zero outside the window, so backward needs no window); Decode attends one query against a KV cache.
using System.Buffers;
using System.Runtime.Intrinsics;
using System.Numerics.Tensors;

namespace FedSpine.Tensors;

public static class CausalAttention
{
    // Query rows per block: each block's products stop at its last key, so work above the diagonal is mostly skipped.
    private const int BlockRows = 64;

    // Below this many multiply-adds a call runs inline on the calling thread.
    private const long MinParallelWork = 1 << 18;

    /// <summary>q, output: [batch, tokens, heads, headDim]; k, v: [batch, tokens, kvHeads, headDim];
    /// probs: [batch, heads, tokens, tokens] (written: softmax(q·kᵀ/√headDim) with the causal mask, kept for backward).
    /// window &gt; 0: query i reads only keys j with i − window &lt; j ≤ i.</summary>
    public static void Forward(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output, Span<float> probs,
        int batch, int tokens, int heads, int kvHeads, int headDim, int window = 0)
    {
        OpsArgs.AtLeast(window, 0, nameof(window));
        var d = new AttentionDims(batch, tokens, heads, kvHeads, headDim, window);
        d.Check(q.Length, k.Length, v.Length, output.Length, probs.Length);
        if (d.Work <= MinParallelWork)
        {
            for (int bh = 0; bh < batch * heads; bh++)
            {
                ForwardHead(q, k, v, output, probs, d, bh);
            }
        }
        else
        {
            ForwardParallel(q, k, v, output, probs, d);
        }
    }

    /// <summary>Overwrites dq [batch, tokens, heads, headDim], dk and dv [batch, tokens, kvHeads, headDim] from dOutput.</summary>
    public static void Backward(ReadOnlySpan<float> dOutput, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, ReadOnlySpan<float> probs,
        Span<float> dq, Span<float> dk, Span<float> dv, int batch, int tokens, int heads, int kvHeads, int headDim)
    {
        var d = new AttentionDims(batch, tokens, heads, kvHeads, headDim);
        d.Check(q.Length, k.Length, v.Length, dOutput.Length, probs.Length);
        OpsArgs.Holds(dq.Length, d.QCount, nameof(dq));
        OpsArgs.Holds(dk.Length, d.KvCount, nameof(dk));
        OpsArgs.Holds(dv.Length, d.KvCount, nameof(dv));
        if (d.Group == 1)
        {
            BackwardAll(dOutput, q, k, v, probs, dq, dk, dv, d, partials: false);
            return;
        }
        // Query heads of one group all feed the same kv head: each head writes its own [tokens, headDim] slice of a
        // scratch [batch, heads, tokens, headDim], and the slices are summed per group in head order afterwards.
        int partialCount = batch * heads * tokens * headDim;
        float[] dkPartial = ArrayPool<float>.Shared.Rent(partialCount);
        float[] dvPartial = ArrayPool<float>.Shared.Rent(partialCount);
        try
        {
            BackwardAll(dOutput, q, k, v, probs, dq, dkPartial.AsSpan(0, partialCount), dvPartial.AsSpan(0, partialCount), d, partials: true);
            SumGroups(dkPartial, dk, d);
            SumGroups(dvPartial, dv, d);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(dkPartial);
            ArrayPool<float>.Shared.Return(dvPartial);
        }
    }

    /// <summary>One query position against a cache. q, output: [heads, headDim]; kCache, vCache: [kvHeads, capacity, headDim]
    /// with the first `length` positions filled; scores: scratch [heads, capacity]. window &gt; 0: only the last
    /// `window` positions are read.</summary>
    public static void Decode(ReadOnlySpan<float> q, ReadOnlySpan<float> kCache, ReadOnlySpan<float> vCache, Span<float> output, Span<float> scores,
        int length, int capacity, int heads, int kvHeads, int headDim, int window = 0)
    {
        CheckDecode(q.Length, kCache.Length, vCache.Length, output.Length, scores.Length, length, capacity, heads, kvHeads, headDim);
        OpsArgs.AtLeast(window, 0, nameof(window));
        if (window > 0 && length > window)
        {
            // Every head's history starts `start` rows later: shifting both caches by start·headDim keeps each head's
            // offset kvh·capacity·headDim valid, and only the last `window` rows are read.
            int start = length - window;
            kCache = kCache[(start * headDim)..];
            vCache = vCache[(start * headDim)..];
            length = window;
        }
        // Small calls stay on this thread; with one kv head there is one group, and Gemm spreads a large one by itself.
        if ((long)heads * length * headDim <= MinParallelWork || kvHeads == 1)
        {
            for (int kvh = 0; kvh < kvHeads; kvh++)
            {
                DecodeGroup(q, kCache, vCache, output, scores, kvh, length, capacity, heads / kvHeads, headDim);
            }
        }
        else
        {
            DecodeParallel(q, kCache, vCache, output, scores, length, capacity, heads, kvHeads, headDim);
        }
    }

    /// <summary>Shared with CausalAttentionReference: the decode buffers and sizes are consistent.</summary>
    internal static void CheckDecode(int qLength, int kLength, int vLength, int outputLength, int scoresLength,
        int length, int capacity, int heads, int kvHeads, int headDim)
    {
        AttentionDims.CheckHeads(heads, kvHeads, headDim);
        OpsArgs.AtLeast(length, 1, nameof(length));
        OpsArgs.AtLeast(capacity, length, nameof(capacity));
        OpsArgs.Holds(qLength, (long)heads * headDim, "q");
        OpsArgs.Holds(kLength, (long)kvHeads * capacity * headDim, "kCache");
        OpsArgs.Holds(vLength, (long)kvHeads * capacity * headDim, "vCache");
        OpsArgs.Holds(outputLength, (long)heads * headDim, "output");
        OpsArgs.Holds(scoresLength, (long)heads * capacity, "scores");
    }

    private static unsafe void ForwardParallel(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output,
        Span<float> probs, AttentionDims d)
    {
        int nq = q.Length, nk = k.Length, nv = v.Length, no = output.Length, np = probs.Length;
        fixed (float* pq = q, pk = k, pv = v, po = output, pp = probs)
        {
            float* cq = pq, ck = pk, cv = pv, co = po, cp = pp; // fixed locals cannot be captured
            WorkerPool.For(d.Batch * d.Heads, bh => ForwardHead(new ReadOnlySpan<float>(cq, nq), new ReadOnlySpan<float>(ck, nk),
                new ReadOnlySpan<float>(cv, nv), new Span<float>(co, no), new Span<float>(cp, np), d, bh));
        }
    }

    // One (batch, head) pair, bh = b·heads + h: its probs [tokens, tokens] and its output columns.
    private static void ForwardHead(ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v, Span<float> output,
        Span<float> probs, AttentionDims d, int bh)
    {
        int t = d.Tokens, hd = d.HeadDim;
        int qOffset = d.QOffset(bh), kvOffset = d.KvOffset(bh), pOffset = bh * t * t;
        for (int i0 = 0; i0 < t; i0 += BlockRows)
        {
            int rows = Math.Min(BlockRows, t - i0), keys = i0 + rows;
            // scores [rows, keys] = scale · q[i0 .. i0+rows) · k[0 .. keys)ᵀ, written into the probs rows
            Gemm.Multiply(false, true, rows, keys, hd, d.Scale, q[(qOffset + i0 * d.QLd)..], d.QLd, k[kvOffset..], d.KvLd,
                0f, probs[(pOffset + i0 * t)..], t);
            for (int i = i0; i < keys; i++)
            {
                var row = probs.Slice(pOffset + i * t, t);
                int first = d.FirstKey(i);
                row[..first].Clear();
                Softmax.Row(row[first..(i + 1)]);
                row[(i + 1)..].Clear();
            }
            // output rows [rows, headDim] = probs [rows, keys] · v[0 .. keys)
            Gemm.Multiply(false, false, rows, hd, keys, 1f, probs[(pOffset + i0 * t)..], t, v[kvOffset..], d.KvLd,
                0f, output[(qOffset + i0 * d.QLd)..], d.QLd);
        }
    }

    // dkOut, dvOut: dk/dv themselves [batch, tokens, kvHeads, headDim] when heads == kvHeads (partials false), else
    // per-query-head partials [batch, heads, tokens, headDim] (partials true).
    private static void BackwardAll(ReadOnlySpan<float> dOutput, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
        ReadOnlySpan<float> probs, Span<float> dq, Span<float> dkOut, Span<float> dvOut, AttentionDims d, bool partials)
    {
        if (d.Work <= MinParallelWork)
        {
            for (int bh = 0; bh < d.Batch * d.Heads; bh++)
            {
                BackwardHead(dOutput, q, k, v, probs, dq, dkOut, dvOut, d, partials, bh);
            }
        }
        else
        {
            BackwardParallel(dOutput, q, k, v, probs, dq, dkOut, dvOut, d, partials);
        }
    }

    private static unsafe void BackwardParallel(ReadOnlySpan<float> dOutput, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
        ReadOnlySpan<float> probs, Span<float> dq, Span<float> dkOut, Span<float> dvOut, AttentionDims d, bool partials)
    {
        int ndo = dOutput.Length, nq = q.Length, nk = k.Length, nv = v.Length, np = probs.Length;
        int ndq = dq.Length, ndk = dkOut.Length, ndv = dvOut.Length;
        fixed (float* pdo = dOutput, pq = q, pk = k, pv = v, pp = probs, pdq = dq, pdk = dkOut, pdv = dvOut)
        {
            float* cdo = pdo, cq = pq, ck = pk, cv = pv, cp = pp, cdq = pdq, cdk = pdk, cdv = pdv; // fixed locals cannot be captured
            WorkerPool.For(d.Batch * d.Heads, bh => BackwardHead(new ReadOnlySpan<float>(cdo, ndo), new ReadOnlySpan<float>(cq, nq),
                new ReadOnlySpan<float>(ck, nk), new ReadOnlySpan<float>(cv, nv), new ReadOnlySpan<float>(cp, np),
                new Span<float>(cdq, ndq), new Span<float>(cdk, ndk), new Span<float>(cdv, ndv), d, partials, bh));
        }
    }

    // One (batch, head) pair: dq columns of head h; the dk/dv rows it owns (see BackwardAll) are zeroed, then accumulated.
    private static void BackwardHead(ReadOnlySpan<float> dOutput, ReadOnlySpan<float> q, ReadOnlySpan<float> k, ReadOnlySpan<float> v,
        ReadOnlySpan<float> probs, Span<float> dq, Span<float> dkOut, Span<float> dvOut, AttentionDims d, bool partials, int bh)
    {
        int t = d.Tokens, hd = d.HeadDim;
        int qOffset = d.QOffset(bh), kvOffset = d.KvOffset(bh), pOffset = bh * t * t;
        int kvLd = partials ? hd : d.KvLd;
        int outOffset = partials ? bh * t * hd : kvOffset;
        for (int j = 0; j < t; j++)
        {
            dkOut.Slice(outOffset + j * kvLd, hd).Clear();
            dvOut.Slice(outOffset + j * kvLd, hd).Clear();
        }
        float[] scratch = ArrayPool<float>.Shared.Rent(t * t);
        try
        {
            var dScores = scratch.AsSpan(0, t * t); // [tokens, tokens]
            for (int i0 = 0; i0 < t; i0 += BlockRows)
            {
                int rows = Math.Min(BlockRows, t - i0), keys = i0 + rows;
                var dOutBlock = dOutput[(qOffset + i0 * d.QLd)..];
                var qBlock = q[(qOffset + i0 * d.QLd)..];
                // dProbs [rows, keys] = dOutput rows · v[0 .. keys)ᵀ
                Gemm.Multiply(false, true, rows, keys, hd, 1f, dOutBlock, d.QLd, v[kvOffset..], d.KvLd, 0f, dScores[(i0 * t)..], t);
                // dScores = scale · p ⊙ (dProbs − Σ dProbs ⊙ p), zero above the diagonal
                for (int i = i0; i < keys; i++)
                {
                    var p = probs.Slice(pOffset + i * t, i + 1);
                    var ds = dScores.Slice(i * t, keys);
                    var dsCausal = ds[..(i + 1)];
                    TensorPrimitives.Subtract(dsCausal, TensorPrimitives.Dot(dsCausal, p), dsCausal);
                    TensorPrimitives.Multiply(dsCausal, p, dsCausal);
                    TensorPrimitives.Multiply(dsCausal, d.Scale, dsCausal);
                    ds[(i + 1)..].Clear();
                }
                // dq rows = dScores [rows, keys] · k[0 .. keys)
                Gemm.Multiply(false, false, rows, hd, keys, 1f, dScores[(i0 * t)..], t, k[kvOffset..], d.KvLd,
                    0f, dq[(qOffset + i0 * d.QLd)..], d.QLd);
                // dk[0 .. keys) += dScoresᵀ · q rows;  dv[0 .. keys) += probsᵀ · dOutput rows
                Gemm.Multiply(true, false, keys, hd, rows, 1f, dScores[(i0 * t)..], t, qBlock, d.QLd, 1f, dkOut[outOffset..], kvLd);
                Gemm.Multiply(true, false, keys, hd, rows, 1f, probs[(pOffset + i0 * t)..], t, dOutBlock, d.QLd, 1f, dvOut[outOffset..], kvLd);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    // partial: [batch, heads, tokens, headDim] → target [batch, tokens, kvHeads, headDim], summing each group's heads in order.
    private static void SumGroups(ReadOnlySpan<float> partial, Span<float> target, AttentionDims d)
    {
        int t = d.Tokens, hd = d.HeadDim;
        for (int b = 0; b < d.Batch; b++)
        {
            for (int j = 0; j < t; j++)
            {
                for (int kvh = 0; kvh < d.KvHeads; kvh++)
                {
                    var dst = target.Slice(((b * t + j) * d.KvHeads + kvh) * hd, hd);
                    int h0 = kvh * d.Group;
                    partial.Slice(((b * d.Heads + h0) * t + j) * hd, hd).CopyTo(dst);
                    for (int h = h0 + 1; h < h0 + d.Group; h++)
                    {
                        TensorPrimitives.Add(dst, partial.Slice(((b * d.Heads + h) * t + j) * hd, hd), dst);
                    }
                }
            }
        }
    }

    private static unsafe void DecodeParallel(ReadOnlySpan<float> q, ReadOnlySpan<float> kCache, ReadOnlySpan<float> vCache, Span<float> output,
        Span<float> scores, int length, int capacity, int heads, int kvHeads, int headDim)
    {
        int nq = q.Length, nk = kCache.Length, nv = vCache.Length, no = output.Length, ns = scores.Length;
        int group = heads / kvHeads;
        fixed (float* pq = q, pk = kCache, pv = vCache, po = output, ps = scores)
        {
            float* cq = pq, ck = pk, cv = pv, co = po, cs = ps; // fixed locals cannot be captured
            WorkerPool.For(kvHeads, kvh => DecodeGroup(new ReadOnlySpan<float>(cq, nq), new ReadOnlySpan<float>(ck, nk), new ReadOnlySpan<float>(cv, nv),
                new Span<float>(co, no), new Span<float>(cs, ns), kvh, length, capacity, group, headDim));
        }
    }

    // The query heads [kvh·group, (kvh+1)·group) that read kv head kvh, as [group, headDim] matrices:
    // scores[g, 0 .. length) = softmax(scale · q[g]·kᵀ), output[g] = scores[g] · v.
    private static void DecodeGroup(ReadOnlySpan<float> q, ReadOnlySpan<float> kCache, ReadOnlySpan<float> vCache, Span<float> output,
        Span<float> scores, int kvh, int length, int capacity, int group, int headDim)
    {
        if (IsaPath.Use256 && headDim % 8 == 0 && headDim <= SmallHeadDim)
        {
            DecodeGroupSmallHead(q, kCache, vCache, output, scores, kvh, length, capacity, group, headDim);
            return;
        }
        int h0 = kvh * group, cacheOffset = kvh * capacity * headDim;
        Gemm.Multiply(false, true, group, length, headDim, 1f / MathF.Sqrt(headDim), q[(h0 * headDim)..], headDim,
            kCache[cacheOffset..], headDim, 0f, scores[(h0 * capacity)..], capacity);
        for (int h = h0; h < h0 + group; h++)
        {
            Softmax.Row(scores.Slice(h * capacity, length));
        }
        Gemm.Multiply(false, false, group, headDim, length, 1f, scores[(h0 * capacity)..], capacity,
            vCache[cacheOffset..], headDim, 0f, output[(h0 * headDim)..], headDim);
    }

    // Head sizes up to this use direct Vector256 loops in Decode (avx2 and avx512 paths; the others take the GEMM route):
    // a GEMM with k = headDim that small wastes its lanes.
    private const int SmallHeadDim = 16;

    // One kv group of a decode step for small heads (headDim a multiple of 8, at most SmallHeadDim): each key and value
    // row is read once per query head with 8-wide vectors; scores [group, length] then softmax, then output = p·V.
    private static void DecodeGroupSmallHead(ReadOnlySpan<float> q, ReadOnlySpan<float> kCache, ReadOnlySpan<float> vCache, Span<float> output,
        Span<float> scores, int kvh, int length, int capacity, int group, int headDim)
    {
        int h0 = kvh * group, cacheOffset = kvh * capacity * headDim;
        float scale = 1f / MathF.Sqrt(headDim);
        var keys = kCache.Slice(cacheOffset, length * headDim);   // [length, headDim]
        var values = vCache.Slice(cacheOffset, length * headDim); // [length, headDim]
        for (int h = h0; h < h0 + group; h++)
        {
            var qh = q.Slice(h * headDim, headDim);
            var row = scores.Slice(h * capacity, length);
            for (int t = 0; t < length; t++)
            {
                var kt = keys.Slice(t * headDim, headDim);
                var acc = Vector256.Create(qh) * Vector256.Create(kt);
                for (int d = 8; d < headDim; d += 8)
                {
                    acc += Vector256.Create(qh[d..]) * Vector256.Create(kt[d..]);
                }
                row[t] = Vector256.Sum(acc) * scale;
            }
            Softmax.Row(row);
            var oh = output.Slice(h * headDim, headDim);
            for (int d = 0; d < headDim; d += 8)
            {
                // four independent accumulators hide the FMA latency of the position loop
                Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
                int t = 0;
                for (; t + 4 <= length; t += 4)
                {
                    s0 += Vector256.Create(row[t]) * Vector256.Create(values.Slice(t * headDim + d, 8));
                    s1 += Vector256.Create(row[t + 1]) * Vector256.Create(values.Slice((t + 1) * headDim + d, 8));
                    s2 += Vector256.Create(row[t + 2]) * Vector256.Create(values.Slice((t + 2) * headDim + d, 8));
                    s3 += Vector256.Create(row[t + 3]) * Vector256.Create(values.Slice((t + 3) * headDim + d, 8));
                }
                for (; t < length; t++)
                {
                    s0 += Vector256.Create(row[t]) * Vector256.Create(values.Slice(t * headDim + d, 8));
                }
                ((s0 + s1) + (s2 + s3)).CopyTo(oh[d..]);
            }
        }
    }
}
