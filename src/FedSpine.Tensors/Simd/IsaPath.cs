// Which instruction-set path FedSpine's kernels take: the widest this process accelerates (the runtime's DOTNET_ switches
// narrow it for every library), or a narrower one FEDSPINE_ISA names (our kernels only; scalar keeps hardware FMA).
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
    /// <summary>Names a narrower path for FedSpine's kernels: avx512, avx2, vector128 or scalar.</summary>
    public const string Variable = "FEDSPINE_ISA";

    private static volatile int _forced = -1;

    /// <summary>The widest path this process accelerates (after the runtime's DOTNET_ switches).</summary>
    public static Isa Hardware { get; } = Detect();

    private static readonly (Isa Path, string? Error) Setting = Parse(Environment.GetEnvironmentVariable(Variable));

    /// <summary>Why FEDSPINE_ISA was not followed (unknown name, or wider than Hardware); null when it was or is unset.</summary>
    public static string? SettingError => Setting.Error;

    /// <summary>Hardware, narrowed by FEDSPINE_ISA.</summary>
    public static Isa Selected => Setting.Path;

    /// <summary>The path the kernels take now: Selected, unless a test narrowed it with Force.</summary>
    public static Isa Current => _forced is var f and >= 0 ? (Isa)f : Selected;

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
        RequireSupported(isa);
        int previous = _forced;
        _forced = (int)isa;
        return new Restore(previous);
    }

    /// <summary>Throws unless this process can run <paramref name="isa"/>.</summary>
    internal static void RequireSupported(Isa isa)
    {
        if (!IsSupported(isa))
        {
            throw new PlatformNotSupportedException($"the {Name(isa)} path needs hardware this process lacks (widest: {Name(Hardware)})");
        }
    }

    /// <summary>The path a FEDSPINE_ISA value selects, and why it was not followed (then the path is Hardware).</summary>
    internal static (Isa Path, string? Error) Parse(string? setting)
    {
        if (string.IsNullOrWhiteSpace(setting))
        {
            return (Hardware, null);
        }
        string wanted = setting.Trim().ToLowerInvariant();
        foreach (Isa isa in Enum.GetValues<Isa>().Where(i => Name(i) == wanted))
        {
            return IsSupported(isa)
                ? (isa, null)
                : (Hardware, $"{Variable}={setting}: this process runs at most {Name(Hardware)}; using {Name(Hardware)}");
        }
        return (Hardware, $"{Variable}={setting} is not a path (expected avx512, avx2, vector128 or scalar); using {Name(Hardware)}");
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
