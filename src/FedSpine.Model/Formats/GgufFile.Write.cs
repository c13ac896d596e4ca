// Writes a GGUF v3 file: header, metadata key/values, tensor table, then each tensor's data padded to the alignment
// (general.alignment when given, else 32). The file appears atomically: written beside the target, then moved over it.
using System.Buffers;
using System.Text;
using FedSpine.Tensors;

namespace FedSpine.Model.Formats;

/// <summary>A tensor to write: its row-major shape and type for the tensor table, and its data on demand.</summary>
public sealed record GgufTensorToWrite(string Name, int[] Shape, GgmlType Type, Func<Tensor> Data);

public sealed partial class GgufFile
{
    /// <summary>Writes metadata in the given order, then the tensors (row-major data; GGUF dims are the shape reversed).
    /// Each tensor's data is asked for only when it is written, so converted copies need not exist all at once.</summary>
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, GgufValue>> metadata, IReadOnlyList<GgufTensorToWrite> tensors)
    {
        var duplicateKey = metadata.GroupBy(kv => kv.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        var duplicateTensor = tensors.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicateKey is not null || duplicateTensor is not null)
        {
            throw new ArgumentException($"{path}: {(duplicateKey is not null ? $"metadata key '{duplicateKey.Key}'" : $"tensor '{duplicateTensor!.Key}'")} given twice");
        }
        uint alignment = WriteAlignment(path, metadata);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(CurrentVersion);
            writer.Write((ulong)tensors.Count);
            writer.Write((ulong)metadata.Count);
            foreach (var (key, value) in metadata)
            {
                WriteString(writer, key);
                writer.Write((uint)value.Type);
                WriteValue(writer, value);
            }
            long offset = 0;
            foreach (var (name, shape, type, _) in tensors)
            {
                WriteString(writer, name);
                var dims = GgufTensorInfo.DimsOf(shape);
                writer.Write((uint)dims.Length);
                foreach (long d in dims)
                {
                    writer.Write((ulong)d);
                }
                writer.Write((uint)type);
                writer.Write((ulong)offset);
                offset = AlignUp(offset + dims.Aggregate(1L, (n, d) => n * d) * type.ElementSize(), alignment);
            }
            writer.Flush();
            Pad(stream, alignment);
            foreach (var (name, shape, type, data) in tensors)
            {
                var tensor = data();
                if (!tensor.SameShape(shape))
                {
                    throw new ArgumentException($"{path}: tensor '{name}' was announced as {Tensor.ShapeText(shape)} but its data is {tensor}");
                }
                WriteData(stream, tensor.Span, type);
                Pad(stream, alignment);
            }
        }, ChunkBytes);
    }

    private static uint WriteAlignment(string path, IReadOnlyList<KeyValuePair<string, GgufValue>> metadata)
    {
        var entry = metadata.FirstOrDefault(kv => kv.Key == AlignmentKey).Value;
        if (entry is null)
        {
            return DefaultAlignment;
        }
        return entry.Value is uint a && entry.Type == GgufValueType.UInt32 && uint.IsPow2(a) && a <= 1u << 30
            ? a
            : throw new ArgumentException($"{path}: {AlignmentKey} must be a uint32 power of two, got {entry}");
    }

    private static void WriteString(BinaryWriter writer, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        writer.Write((ulong)bytes.Length);
        writer.Write(bytes);
    }

    private static void WriteValue(BinaryWriter writer, GgufValue value)
    {
        if (value.Type != GgufValueType.Array)
        {
            WriteScalar(writer, value.Type, value.Value);
            return;
        }
        var items = (Array)value.Value;
        writer.Write((uint)value.ElementType);
        writer.Write((ulong)items.Length);
        foreach (object item in items)
        {
            if (value.ElementType == GgufValueType.Array)
            {
                WriteValue(writer, (GgufValue)item);
            }
            else
            {
                WriteScalar(writer, value.ElementType, item);
            }
        }
    }

    private static void WriteScalar(BinaryWriter writer, GgufValueType type, object value)
    {
        switch (type)
        {
            case GgufValueType.UInt8: writer.Write((byte)value); break;
            case GgufValueType.Int8: writer.Write((sbyte)value); break;
            case GgufValueType.UInt16: writer.Write((ushort)value); break;
            case GgufValueType.Int16: writer.Write((short)value); break;
            case GgufValueType.UInt32: writer.Write((uint)value); break;
            case GgufValueType.Int32: writer.Write((int)value); break;
            case GgufValueType.Float32: writer.Write((float)value); break;
            case GgufValueType.Bool: writer.Write((bool)value); break;
            case GgufValueType.String: WriteString(writer, (string)value); break;
            case GgufValueType.UInt64: writer.Write((ulong)value); break;
            case GgufValueType.Int64: writer.Write((long)value); break;
            case GgufValueType.Float64: writer.Write((double)value); break;
            default: throw new ArgumentOutOfRangeException(nameof(type), type, "not a scalar GGUF type");
        }
    }

    private static void WriteData(Stream stream, ReadOnlySpan<float> values, GgmlType type)
    {
        int elementSize = type.ElementSize();
        int perChunk = ChunkBytes / elementSize;
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            for (int done = 0; done < values.Length; done += perChunk)
            {
                int count = Math.Min(perChunk, values.Length - done);
                var bytes = chunk.AsSpan(0, count * elementSize);
                FloatEncoding.Encode(type.Encoding(), values.Slice(done, count), bytes);
                stream.Write(bytes);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static void Pad(Stream stream, uint alignment)
    {
        long padding = AlignUp(stream.Position, alignment) - stream.Position;
        for (long i = 0; i < padding; i++)
        {
            stream.WriteByte(0);
        }
    }
}
