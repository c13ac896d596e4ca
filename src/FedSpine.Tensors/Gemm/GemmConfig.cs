// Which SIMD flavour the GEMM kernels use on this machine, and each flavour's blocking: register tile MR×NR, kc (fixed
// reduction depth per packed panel, so results never depend on threads), task block mc, panel width nc, panel rows.
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FedSpine.Tensors;

internal enum GemmIsa
{
    Scalar,
    Avx2,
    Avx512,
}

/// <param name="MR">rows of the micro-kernel's register tile.</param>
/// <param name="NR">columns of the register tile.</param>
/// <param name="KC">largest reduction depth of one packed panel.</param>
/// <param name="MC">largest rows of one compute task (its A block stays in L2).</param>
/// <param name="NC">largest columns of one packed B panel (stays in L3).</param>
/// <param name="MPanel">largest rows of one packed A panel.</param>
internal readonly record struct GemmBlocking(int MR, int NR, int KC, int MC, int NC, int MPanel);

internal static class GemmConfig
{
    /// <summary>The fastest flavour this machine runs.</summary>
    public static readonly GemmIsa Best = Detect();

    public static bool IsSupported(GemmIsa isa) => isa switch
    {
        GemmIsa.Avx512 => Vector512.IsHardwareAccelerated,
        GemmIsa.Avx2 => Vector256.IsHardwareAccelerated && Fma.IsSupported,
        _ => true,
    };

    public static GemmBlocking Blocking(GemmIsa isa) => isa switch
    {
        GemmIsa.Avx512 => new GemmBlocking(MR: 14, NR: 32, KC: 384, MC: 392, NC: 4096, MPanel: 4200),
        GemmIsa.Avx2 => new GemmBlocking(MR: 6, NR: 16, KC: 256, MC: 144, NC: 4096, MPanel: 4200),
        _ => new GemmBlocking(MR: 4, NR: 4, KC: 256, MC: 64, NC: 1024, MPanel: 1024),
    };

    private static GemmIsa Detect() =>
        IsSupported(GemmIsa.Avx512) ? GemmIsa.Avx512 : IsSupported(GemmIsa.Avx2) ? GemmIsa.Avx2 : GemmIsa.Scalar;
}
