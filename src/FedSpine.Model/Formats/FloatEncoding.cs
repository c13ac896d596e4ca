// Little-endian float32/float16/bfloat16 bytes to and from float32 spans.
// Narrowing rounds to nearest, ties to even; NaN stays NaN (quiet), overflow becomes infinity.
using System.Buffers.Binary;

namespace FedSpine.Model.Formats;

public static class FloatEncoding
{
    public static float BFloat16ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    public static ushort SingleToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x0040); // keep sign and payload top, force the quiet bit
        }
        uint roundingBias = 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)((bits + roundingBias) >> 16);
    }

    public static float HalfToSingle(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    public static ushort SingleToHalf(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    /// <summary>Decodes source.Length / ElementSize values of <paramref name="dtype"/> into destination.</summary>
    public static void Decode(SafeTensorsDtype dtype, ReadOnlySpan<byte> source, Span<float> destination)
    {
        int count = source.Length / dtype.ElementSize();
        if (count > destination.Length)
        {
            throw new ArgumentException($"{count} values do not fit a destination of {destination.Length}");
        }
        switch (dtype)
        {
            case SafeTensorsDtype.F32:
                for (int i = 0; i < count; i++)
                {
                    destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * i)..]);
                }
                break;
            case SafeTensorsDtype.F16:
                for (int i = 0; i < count; i++)
                {
                    destination[i] = HalfToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]));
                }
                break;
            case SafeTensorsDtype.BF16:
                for (int i = 0; i < count; i++)
                {
                    destination[i] = BFloat16ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * i)..]));
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null);
        }
    }

    /// <summary>Encodes every source value as <paramref name="dtype"/> into destination (source.Length × ElementSize bytes).</summary>
    public static void Encode(SafeTensorsDtype dtype, ReadOnlySpan<float> source, Span<byte> destination)
    {
        if ((long)source.Length * dtype.ElementSize() > destination.Length)
        {
            throw new ArgumentException($"{source.Length} values of {dtype} do not fit {destination.Length} bytes");
        }
        switch (dtype)
        {
            case SafeTensorsDtype.F32:
                for (int i = 0; i < source.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * i)..], source[i]);
                }
                break;
            case SafeTensorsDtype.F16:
                for (int i = 0; i < source.Length; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * i)..], SingleToHalf(source[i]));
                }
                break;
            case SafeTensorsDtype.BF16:
                for (int i = 0; i < source.Length; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * i)..], SingleToBFloat16(source[i]));
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null);
        }
    }
}
