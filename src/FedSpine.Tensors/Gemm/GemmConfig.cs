// Each instruction-set path's GEMM blocking (IsaPath picks the path): register tile MR×NR, kc (fixed reduction depth
// per packed panel, so results never depend on threads), task block mc, panel width nc, panel rows.
namespace FedSpine.Tensors;

/// <param name="MR">rows of the micro-kernel's register tile.</param>
/// <param name="NR">columns of the register tile.</param>
/// <param name="KC">largest reduction depth of one packed panel.</param>
/// <param name="MC">largest rows of one compute task (its A block stays in L2).</param>
/// <param name="NC">largest columns of one packed B panel (stays in L3).</param>
/// <param name="MPanel">largest rows of one packed A panel.</param>
internal readonly record struct GemmBlocking(int MR, int NR, int KC, int MC, int NC, int MPanel);

internal static class GemmConfig
{
    public static GemmBlocking Blocking(Isa isa) => isa switch
    {
        Isa.Avx512 => new GemmBlocking(MR: 14, NR: 32, KC: 384, MC: 392, NC: 4096, MPanel: 4200),
        // 16 ymm registers: 12 accumulators, 2 B vectors, 1 broadcast; A sliver 6·kc·4 B and B sliver 16·kc·4 B in L1.
        Isa.Avx2 => new GemmBlocking(MR: 6, NR: 16, KC: 256, MC: 144, NC: 4096, MPanel: 4200),
        // 16 xmm (x64) or 32 NEON registers: the same 6×2-vector tile on 4-wide vectors.
        Isa.Vector128 => new GemmBlocking(MR: 6, NR: 8, KC: 256, MC: 144, NC: 4096, MPanel: 4200),
        _ => new GemmBlocking(MR: 4, NR: 4, KC: 256, MC: 64, NC: 1024, MPanel: 1024),
    };
}
