// SwiGLU gating: h = silu(gate) ⊙ up, silu(g) = g·sigmoid(g). CONTRACT STUB.
namespace FedSpine.Tensors;

public static class SwiGlu
{
    /// <summary>gate, up, h: [count].</summary>
    public static void Forward(ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> h) => throw new NotImplementedException();

    /// <summary>Overwrites dGate and dUp [count] from dh [count].</summary>
    public static void Backward(ReadOnlySpan<float> dh, ReadOnlySpan<float> gate, ReadOnlySpan<float> up, Span<float> dGate, Span<float> dUp)
        => throw new NotImplementedException();
}
