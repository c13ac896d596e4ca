// bfloat16 storage for frozen weights: fp32 → bf16 rounds to nearest even (NaN stays NaN), bf16 → fp32 is exact (the 16
// bits become the high half). Widen has Vector256 and Vector128 paths beside the scalar reference (WidenReference).
using System.Runtime.Intrinsics;

namespace FedSpine.Tensors;

public static class Bf16
{
    /// <summary>The bf16 nearest to <paramref name="value"/> (ties to even), as its 16 bits.</summary>
    public static ushort FromFloat(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40); // keep it a (quiet) NaN whatever the low bits held
        }
        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    public static float ToFloat(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>destination[i] = bf16 of source[i].</summary>
    public static void Narrow(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = FromFloat(source[i]);
        }
    }

    /// <summary>destination[i] = the fp32 value of the bf16 source[i] (exact).</summary>
    public static void Widen(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        CheckLengths(source.Length, destination.Length);
        int i = 0;
        if (IsaPath.Use256)
        {
            for (; i + Vector256<ushort>.Count <= source.Length; i += Vector256<ushort>.Count)
            {
                var (lower, upper) = Vector256.Widen(Vector256.Create(source.Slice(i, Vector256<ushort>.Count)));
                Vector256.ShiftLeft(lower, 16).AsSingle().CopyTo(destination.Slice(i));
                Vector256.ShiftLeft(upper, 16).AsSingle().CopyTo(destination.Slice(i + Vector256<uint>.Count));
            }
        }
        if (IsaPath.Use128)
        {
            for (; i + Vector128<ushort>.Count <= source.Length; i += Vector128<ushort>.Count)
            {
                var (lower, upper) = Vector128.Widen(Vector128.Create(source.Slice(i, Vector128<ushort>.Count)));
                Vector128.ShiftLeft(lower, 16).AsSingle().CopyTo(destination.Slice(i));
                Vector128.ShiftLeft(upper, 16).AsSingle().CopyTo(destination.Slice(i + Vector128<uint>.Count));
            }
        }
        WidenReference(source[i..], destination[i..]);
    }

    /// <summary>The scalar Widen (the reference the vector paths are tested against).</summary>
    public static void WidenReference(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = ToFloat(source[i]);
        }
    }

    private static void CheckLengths(int source, int destination)
    {
        if (source != destination)
        {
            throw new ArgumentException($"bf16 conversion of {source} values into {destination}");
        }
    }
}
