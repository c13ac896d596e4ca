// Which instruction-set path every kernel takes: the widest this process accelerates. The runtime's switches narrow it
// (DOTNET_EnableAVX512=0 → avx2, DOTNET_PreferredVectorBitWidth=128 → vector128, DOTNET_EnableHWIntrinsic=0 → scalar).
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FedSpine.Tensors;

/// <summary>Kernel paths, narrowest first: Avx2 is 256-bit vectors with FMA, Vector128 is SSE/AVX on x64 and AdvSimd
/// (NEON) on ARM64.</summary>
public enum Isa
{
    Scalar,
    Vector128,
    Avx2,
    Avx512,
}

public static class IsaPath
{
    private static volatile int _forced = -1;

    /// <summary>The widest path this process accelerates (after the runtime's DOTNET_ switches).</summary>
    public static Isa Hardware { get; } = Detect();

    /// <summary>The path the kernels take now: Hardware, unless a test narrowed it with Force.</summary>
    public static Isa Current => _forced is var f and >= 0 ? (Isa)f : Hardware;

    /// <summary>Lower-case name as the docs and bench output spell it: avx512, avx2, vector128, scalar.</summary>
    public static string Name(Isa isa) => isa.ToString().ToLowerInvariant();

    public static bool IsSupported(Isa isa) => isa <= Hardware;

    // The hardware checks come first so the JIT drops paths a machine never runs (Vector512 code on ARM64).
    internal static bool Use512 => Vector512.IsHardwareAccelerated && Current >= Isa.Avx512;

    internal static bool Use256 => Vector256.IsHardwareAccelerated && Current >= Isa.Avx2;

    internal static bool Use128 => Vector128.IsHardwareAccelerated && Current >= Isa.Vector128;

    /// <summary>Runs every kernel on <paramref name="isa"/> until the scope is disposed (process-wide: tests that force
    /// a path must not run beside others). Throws when the machine lacks the path.</summary>
    internal static IDisposable Force(Isa isa)
    {
        if (!IsSupported(isa))
        {
            throw new PlatformNotSupportedException($"the {Name(isa)} path needs hardware this process lacks (widest: {Name(Hardware)})");
        }
        int previous = _forced;
        _forced = (int)isa;
        return new Restore(previous);
    }

    private static Isa Detect()
    {
        if (Vector512.IsHardwareAccelerated)
        {
            return Isa.Avx512;
        }
        if (Vector256.IsHardwareAccelerated && Fma.IsSupported)
        {
            return Isa.Avx2;
        }
        return Vector128.IsHardwareAccelerated ? Isa.Vector128 : Isa.Scalar;
    }

    private sealed class Restore(int previous) : IDisposable
    {
        public void Dispose() => _forced = previous;
    }
}
