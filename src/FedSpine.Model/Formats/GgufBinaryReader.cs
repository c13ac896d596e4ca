// Little-endian reads of GGUF header fields (integers, strings, typed metadata values) from a stream, bounded by the file:
// every length and count is checked against the bytes left, so a corrupt file fails clearly instead of allocating wildly.
using System.Buffers.Binary;
using System.Text;

namespace FedSpine.Model.Formats;

internal sealed class GgufBinaryReader
{
    /// <summary>Nested arrays deeper than this are treated as corrupt (GGUF writers use at most one level).</summary>
    private const int MaxArrayDepth = 4;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _stream;
    private readonly long _length;
    private readonly byte[] _scratch = new byte[8];

    public GgufBinaryReader(Stream stream, string path)
    {
        _stream = stream;
        Path = path;
        _length = stream.Length;
    }

    public string Path { get; }

    public long Position => _stream.Position;

    public long Remaining => _length - _stream.Position;

    public InvalidDataException Bad(string problem) => new($"{Path}: invalid GGUF file: {problem}");

    public uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Fill(4, what));

    public ulong ReadUInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Fill(8, what));

    /// <summary>A uint64 count that must fit the bytes left when each item takes at least <paramref name="minItemBytes"/>.</summary>
    public long ReadCount(string what, long minItemBytes)
    {
        ulong count = ReadUInt64(what);
        if (count > (ulong)Math.Max(0, Remaining) / (ulong)minItemBytes)
        {
            throw Bad($"{what} {count} is absurd (or the file truncated): {Remaining} bytes are left at byte {Position} and each item needs at least {minItemBytes}");
        }
        return (long)count;
    }

    /// <summary>A GGUF string: uint64 byte length, then that many UTF-8 bytes (no terminator).</summary>
    public string ReadString(string what)
    {
        long length = ReadCount($"length of {what}", 1);
        if (length > Array.MaxLength)
        {
            throw Bad($"{what} claims {length} bytes");
        }
        var bytes = new byte[length];
        ReadExactly(bytes, what);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Bad($"{what} at byte {Position - length} is not valid UTF-8");
        }
    }

    /// <summary>A metadata value of the given type (arrays: uint32 element type, uint64 count, elements).</summary>
    public GgufValue ReadValue(GgufValueType type, string what, int depth = 0)
    {
        switch (type)
        {
            case GgufValueType.UInt8: return GgufValue.Scalar(type, Fill(1, what)[0]);
            case GgufValueType.Int8: return GgufValue.Scalar(type, (sbyte)Fill(1, what)[0]);
            case GgufValueType.UInt16: return GgufValue.Scalar(type, BinaryPrimitives.ReadUInt16LittleEndian(Fill(2, what)));
            case GgufValueType.Int16: return GgufValue.Scalar(type, BinaryPrimitives.ReadInt16LittleEndian(Fill(2, what)));
            case GgufValueType.UInt32: return GgufValue.Scalar(type, BinaryPrimitives.ReadUInt32LittleEndian(Fill(4, what)));
            case GgufValueType.Int32: return GgufValue.Scalar(type, BinaryPrimitives.ReadInt32LittleEndian(Fill(4, what)));
            case GgufValueType.Float32: return GgufValue.Scalar(type, BinaryPrimitives.ReadSingleLittleEndian(Fill(4, what)));
            case GgufValueType.UInt64: return GgufValue.Scalar(type, BinaryPrimitives.ReadUInt64LittleEndian(Fill(8, what)));
            case GgufValueType.Int64: return GgufValue.Scalar(type, BinaryPrimitives.ReadInt64LittleEndian(Fill(8, what)));
            case GgufValueType.Float64: return GgufValue.Scalar(type, BinaryPrimitives.ReadDoubleLittleEndian(Fill(8, what)));
            case GgufValueType.Bool:
                byte b = Fill(1, what)[0];
                return b <= 1 ? GgufValue.Scalar(type, b == 1) : throw Bad($"{what} is a bool holding {b} (must be 0 or 1)");
            case GgufValueType.String: return GgufValue.Scalar(type, ReadString(what));
            case GgufValueType.Array: return ReadArray(what, depth);
            default: throw Bad($"{what} has unknown value type {(uint)type} at byte {Position - 4}");
        }
    }

    public GgufValueType ReadValueType(string what)
    {
        uint raw = ReadUInt32($"value type of {what}");
        return raw <= (uint)GgufValueType.Float64 ? (GgufValueType)raw : throw Bad($"{what} has unknown value type {raw} at byte {Position - 4}");
    }

    public void ReadExactly(Span<byte> destination, string what)
    {
        long start = Position;
        if (_stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false) < destination.Length)
        {
            throw Bad($"truncated: {what} at byte {start} needs {destination.Length} bytes, the file ends at {_length}");
        }
    }

    private GgufValue ReadArray(string what, int depth)
    {
        if (depth >= MaxArrayDepth)
        {
            throw Bad($"{what} nests arrays deeper than {MaxArrayDepth}");
        }
        var elementType = ReadValueType($"{what} elements");
        long count = ReadCount($"element count of {what}", MinBytes(elementType));
        Array items = elementType switch
        {
            GgufValueType.UInt8 => new byte[count],
            GgufValueType.Int8 => new sbyte[count],
            GgufValueType.UInt16 => new ushort[count],
            GgufValueType.Int16 => new short[count],
            GgufValueType.UInt32 => new uint[count],
            GgufValueType.Int32 => new int[count],
            GgufValueType.Float32 => new float[count],
            GgufValueType.Bool => new bool[count],
            GgufValueType.String => new string[count],
            GgufValueType.UInt64 => new ulong[count],
            GgufValueType.Int64 => new long[count],
            GgufValueType.Float64 => new double[count],
            _ => new GgufValue[count],
        };
        for (long i = 0; i < count; i++)
        {
            var item = ReadValue(elementType, $"{what}[{i}]", depth + 1);
            items.SetValue(elementType == GgufValueType.Array ? item : item.Value, i);
        }
        return GgufValue.ArrayOf(elementType, items);
    }

    /// <summary>Fewest bytes one value of a type can take (strings: the length prefix; arrays: type and count).</summary>
    private static long MinBytes(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.String or GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
        _ => 12,
    };

    private ReadOnlySpan<byte> Fill(int count, string what)
    {
        var span = _scratch.AsSpan(0, count);
        ReadExactly(span, what);
        return span;
    }
}
