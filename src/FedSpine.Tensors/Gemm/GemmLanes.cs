// SIMD lane operations GEMM kernels are written against: Vector512, Vector256, Vector128 (SSE or NEON) or one float.
// Every lane computes a fused a·b+c, so a vector lane and a scalar step give bitwise the same result.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FedSpine.Tensors;

internal unsafe interface ILanes<TV>
    where TV : struct
{
    static abstract int Width { get; }

    static abstract TV Zero { get; }

    static abstract TV Load(float* p);

    /// <summary>p[0..count) in the first lanes, zeros above (0 &lt; count &lt; Width); reads nothing past p + count.</summary>
    static abstract TV LoadPartial(float* p, int count);

    static abstract void Store(float* p, TV v);

    static abstract TV Broadcast(float x);

    /// <summary>a·b + c, fused.</summary>
    static abstract TV Fma(TV a, TV b, TV c);

    static abstract TV Mul(TV a, TV b);

    /// <summary>Sum of the lanes, always in the same order.</summary>
    static abstract float Sum(TV v);
}

internal readonly unsafe struct Lanes512 : ILanes<Vector512<float>>
{
    public static int Width => Vector512<float>.Count;

    public static Vector512<float> Zero => Vector512<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* p) => Vector512.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> LoadPartial(float* p, int count) =>
        Avx512F.MaskLoad(p, Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle(), Vector512<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector512<float> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float x) => Vector512.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Mul(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector512<float> v) => Vector256.Sum(v.GetLower() + v.GetUpper());
}

internal readonly unsafe struct Lanes256 : ILanes<Vector256<float>>
{
    public static int Width => Vector256<float>.Count;

    public static Vector256<float> Zero => Vector256<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* p) => Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> LoadPartial(float* p, int count) =>
        Avx.MaskLoad(p, Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector256<float> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float x) => Vector256.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Mul(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> v) => Vector256.Sum(v);
}

internal readonly unsafe struct Lanes128 : ILanes<Vector128<float>>
{
    public static int Width => Vector128<float>.Count;

    public static Vector128<float> Zero => Vector128<float>.Zero;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(float* p) => Vector128.Load(p);

    // No masked load on AdvSimd: build the vector from the valid floats (count is 1..3).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> LoadPartial(float* p, int count) =>
        Vector128.Create(p[0], count > 1 ? p[1] : 0f, count > 2 ? p[2] : 0f, 0f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, Vector128<float> v) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float x) => Vector128.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Fma(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Mul(Vector128<float> a, Vector128<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector128<float> v) => Vector128.Sum(v);
}

internal readonly unsafe struct LanesScalar : ILanes<float>
{
    public static int Width => 1;

    public static float Zero => 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(float* p) => *p;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LoadPartial(float* p, int count) => count > 0 ? *p : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float* p, float v) => *p = v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float x) => x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Fma(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Mul(float a, float b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(float v) => v;
}
