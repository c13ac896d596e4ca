// A fast 64-bit FNV-style checksum over raw bytes, eight at a time, foldable across several buffers.
// Detects corrupted checkpoint data and changed training data; not cryptographic.
using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace FedSpine.Model.Pretraining;

internal static class Checksum64
{
    public const ulong Start = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    /// <summary>Continues hash over data (byte length included, so buffers of different sizes do not collide trivially).</summary>
    public static ulong Add(ulong hash, ReadOnlySpan<byte> data)
    {
        hash = (hash ^ (ulong)data.Length) * Prime;
        int words = data.Length / 8;
        var whole = MemoryMarshal.Cast<byte, ulong>(data[..(words * 8)]);
        for (int i = 0; i < whole.Length; i++)
        {
            ulong w = BitConverter.IsLittleEndian ? whole[i] : BinaryPrimitives.ReverseEndianness(whole[i]);
            hash = (hash ^ w) * Prime;
        }
        for (int i = words * 8; i < data.Length; i++)
        {
            hash = (hash ^ data[i]) * Prime;
        }
        return hash;
    }

    public static ulong Add(ulong hash, ReadOnlySpan<float> data) => Add(hash, MemoryMarshal.AsBytes(data));

    public static ulong Add(ulong hash, ReadOnlySpan<int> data) => Add(hash, MemoryMarshal.AsBytes(data));
}
