// SwiGLU gating: h = silu(gate) ⊙ up, silu(g) = g·sigmoid(g), and its backward.
// Fast kernel (fused Vector512/Vector256/Vector128 loops, large calls spread over the pool); see SwiGluReference.
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FedSpine.Tensors;

public static class SwiGlu
{
    /// <summary>gate, up, h: [count].</summary>
    public static void Forward(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> h)
    {
        // count = gate.Length; h may alias gate or up (each element is read before it is written).
        int count = gate.Length;
        OpsArgs.Holds(up.Length, count, nameof(up));
        OpsArgs.Holds(h.Length, count, nameof(h));
        if (OpsParallel.IsSmall(count, 1))
        {
            ForwardRange(gate, up, h, 0, count);
        }
        else
        {
            ForwardParallel(gate, up, h, count);
        }
    }

    /// <summary>Overwrites dGate and dUp [count] from dh [count].</summary>
    public static void Backward(ReadOnlySpan<float> dh, ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> dGate, Span<float> dUp)
    {
        // count = dh.Length; dGate or dUp may alias dh (each element is read before it is written).
        int count = dh.Length;
        OpsArgs.Holds(gate.Length, count, nameof(gate));
        OpsArgs.Holds(up.Length, count, nameof(up));
        OpsArgs.Holds(dGate.Length, count, nameof(dGate));
        OpsArgs.Holds(dUp.Length, count, nameof(dUp));
        if (OpsParallel.IsSmall(count, 1))
        {
            BackwardRange(dh, gate, up, dGate, dUp, 0, count);
        }
        else
        {
            BackwardParallel(dh, gate, up, dGate, dUp, count);
        }
    }

    private static unsafe void ForwardParallel(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> h, int count)
    {
        int perChunk = OpsParallel.RowsPerChunk(count, 1);
        fixed (float* pg = gate, pu = up, ph = h)
        {
            float* cg = pg, cu = pu, ch = ph; // fixed locals cannot be captured
            WorkerPool.For(OpsParallel.ChunkCount(count, perChunk), c =>
            {
                int start = c * perChunk;
                ForwardRange(new ReadOnlySpan<float>(cg, count), new ReadOnlySpan<float>(cu, count), new Span<float>(ch, count),
                    start, Math.Min(count, start + perChunk));
            });
        }
    }

    // h[i] = gate[i] / (1 + exp(−gate[i])) · up[i] for i in [start, end).
    private static void ForwardRange(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> h, int start, int end)
    {
        int i = start;
        ref float rg = ref MemoryMarshal.GetReference(gate);
        ref float ru = ref MemoryMarshal.GetReference(up);
        ref float rh = ref MemoryMarshal.GetReference(h);
        if (IsaPath.Use512)
        {
            for (; i <= end - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var g = Vector512.LoadUnsafe(ref rg, (nuint)i);
                var u = Vector512.LoadUnsafe(ref ru, (nuint)i);
                (g / (Vector512<float>.One + Vector512.Exp(-g)) * u).StoreUnsafe(ref rh, (nuint)i);
            }
        }
        if (IsaPath.Use256)
        {
            for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var g = Vector256.LoadUnsafe(ref rg, (nuint)i);
                var u = Vector256.LoadUnsafe(ref ru, (nuint)i);
                (g / (Vector256<float>.One + Vector256.Exp(-g)) * u).StoreUnsafe(ref rh, (nuint)i);
            }
        }
        else if (IsaPath.Use128)
        {
            for (; i <= end - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                var g = Vector128.LoadUnsafe(ref rg, (nuint)i);
                var u = Vector128.LoadUnsafe(ref ru, (nuint)i);
                (g / (Vector128<float>.One + Vector128.Exp(-g)) * u).StoreUnsafe(ref rh, (nuint)i);
            }
        }
        for (; i < end; i++)
        {
            float g = gate[i];
            h[i] = g / (1f + MathF.Exp(-g)) * up[i];
        }
    }

    private static unsafe void BackwardParallel(ReadOnlySpan<float> dh, ReadOnlySpan<float> gate, ReadOnlySpan<float> up,
        Span<float> dGate, Span<float> dUp, int count)
    {
        int perChunk = OpsParallel.RowsPerChunk(count, 1);
        fixed (float* pdh = dh, pg = gate, pu = up, pdg = dGate, pdu = dUp)
        {
            float* cdh = pdh, cg = pg, cu = pu, cdg = pdg, cdu = pdu; // fixed locals cannot be captured
            WorkerPool.For(OpsParallel.ChunkCount(count, perChunk), c =>
            {
                int start = c * perChunk;
                BackwardRange(new ReadOnlySpan<float>(cdh, count), new ReadOnlySpan<float>(cg, count), new ReadOnlySpan<float>(cu, count),
                    new Span<float>(cdg, count), new Span<float>(cdu, count), start, Math.Min(count, start + perChunk));
            });
        }
    }

    // With s = sigmoid(g): dGate = dh·u·s·(1 + g·(1 − s)), dUp = dh·g·s, for i in [start, end).
    private static void BackwardRange(ReadOnlySpan<float> dh, ReadOnlySpan<float> gate, ReadOnlySpan<float> up,
        Span<float> dGate, Span<float> dUp, int start, int end)
    {
        int i = start;
        ref float rdh = ref MemoryMarshal.GetReference(dh);
        ref float rg = ref MemoryMarshal.GetReference(gate);
        ref float ru = ref MemoryMarshal.GetReference(up);
        ref float rdg = ref MemoryMarshal.GetReference(dGate);
        ref float rdu = ref MemoryMarshal.GetReference(dUp);
        if (IsaPath.Use512)
        {
            var one = Vector512<float>.One;
            for (; i <= end - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var d = Vector512.LoadUnsafe(ref rdh, (nuint)i);
                var g = Vector512.LoadUnsafe(ref rg, (nuint)i);
                var u = Vector512.LoadUnsafe(ref ru, (nuint)i);
                var s = one / (one + Vector512.Exp(-g));
                (d * u * s * (one + g * (one - s))).StoreUnsafe(ref rdg, (nuint)i);
                (d * (g * s)).StoreUnsafe(ref rdu, (nuint)i);
            }
        }
        if (IsaPath.Use256)
        {
            var one = Vector256<float>.One;
            for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var d = Vector256.LoadUnsafe(ref rdh, (nuint)i);
                var g = Vector256.LoadUnsafe(ref rg, (nuint)i);
                var u = Vector256.LoadUnsafe(ref ru, (nuint)i);
                var s = one / (one + Vector256.Exp(-g));
                (d * u * s * (one + g * (one - s))).StoreUnsafe(ref rdg, (nuint)i);
                (d * (g * s)).StoreUnsafe(ref rdu, (nuint)i);
            }
        }
        else if (IsaPath.Use128)
        {
            var one = Vector128<float>.One;
            for (; i <= end - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                var d = Vector128.LoadUnsafe(ref rdh, (nuint)i);
                var g = Vector128.LoadUnsafe(ref rg, (nuint)i);
                var u = Vector128.LoadUnsafe(ref ru, (nuint)i);
                var s = one / (one + Vector128.Exp(-g));
                (d * u * s * (one + g * (one - s))).StoreUnsafe(ref rdg, (nuint)i);
                (d * (g * s)).StoreUnsafe(ref rdu, (nuint)i);
            }
        }
        for (; i < end; i++)
        {
            float d = dh[i], g = gate[i], u = up[i];
            float s = 1f / (1f + MathF.Exp(-g));
            dGate[i] = d * u * s * (1f + g * (1f - s));
            dUp[i] = d * (g * s);
        }
    }
}
