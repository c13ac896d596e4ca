// Plain reference SwiGLU (h = silu(gate)·up) and its backward: scalar loops in double.
// The fast SwiGlu kernel is tested against this; same contract as SwiGlu.
namespace FedSpine.Tensors;

public static class SwiGluReference
{
    /// <summary>gate, up, h: [count], count = gate.Length.</summary>
    public static void Forward(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> h)
    {
        OpsArgs.Holds(up.Length, gate.Length, nameof(up));
        OpsArgs.Holds(h.Length, gate.Length, nameof(h));
        for (int i = 0; i < gate.Length; i++)
        {
            double g = gate[i];
            h[i] = (float)(g / (1 + Math.Exp(-g)) * up[i]);
        }
    }

    /// <summary>Overwrites dGate and dUp [count] from dh [count], count = dh.Length.</summary>
    public static void Backward(ReadOnlySpan<float> dh, ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> dGate, Span<float> dUp)
    {
        OpsArgs.Holds(gate.Length, dh.Length, nameof(gate));
        OpsArgs.Holds(up.Length, dh.Length, nameof(up));
        OpsArgs.Holds(dGate.Length, dh.Length, nameof(dGate));
        OpsArgs.Holds(dUp.Length, dh.Length, nameof(dUp));
        for (int i = 0; i < dh.Length; i++)
        {
            double d = dh[i], g = gate[i], u = up[i];
            double s = 1 / (1 + Math.Exp(-g));
            dGate[i] = (float)(d * u * s * (1 + g * (1 - s)));
            dUp[i] = (float)(d * g * s);
        }
    }
}
