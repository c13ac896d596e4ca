// Writes tensors as one safetensors file (F32 by default, or F16/BF16 rounded to nearest even), streamed in chunks.
// The file appears atomically: it is written beside the target and moved over it only when complete.
using System.Buffers;
using System.Buffers.Binary;
using FedSpine.Tensors;

namespace FedSpine.Model.Formats;

public sealed partial class SafeTensorsFile
{
    /// <summary>Writes the tensors in the given order; names must be unique.</summary>
    public static void Write(string path, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, SafeTensorsDtype dtype = SafeTensorsDtype.F32,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        var duplicate = tensors.GroupBy(t => t.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"{path}: tensor name '{duplicate.Key}' given twice");
        }
        byte[] header = SafeTensorsHeader.Build(tensors.Select(t => (t.Key, t.Value.Shape.ToArray())).ToList(), dtype, metadata);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            stream.Write(prefix);
            stream.Write(header);
            WriteData(stream, tensors, dtype);
        }, ChunkBytes);
    }

    private static void WriteData(Stream stream, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, SafeTensorsDtype dtype)
    {
        int elementSize = dtype.ElementSize();
        int perChunk = ChunkBytes / elementSize;
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            foreach (var (_, tensor) in tensors)
            {
                ReadOnlySpan<float> values = tensor.Span;
                for (int done = 0; done < values.Length; done += perChunk)
                {
                    int count = Math.Min(perChunk, values.Length - done);
                    var bytes = chunk.AsSpan(0, count * elementSize);
                    FloatEncoding.Encode(dtype, values.Slice(done, count), bytes);
                    stream.Write(bytes);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
