// Safetensors in memory, for messages on the wire: writes tensors (F32) to a stream, and parses a received buffer with
// the same header validation as files (SafeTensorsHeader), naming the message in every error; data is read on demand.
using System.Buffers.Binary;
using FedSpine.Tensors;

namespace FedSpine.Model.Formats;

public sealed class SafeTensorsBytes
{
    private readonly ReadOnlyMemory<byte> _data;
    private readonly Dictionary<string, SafeTensorEntry> _byName;

    private SafeTensorsBytes(string source, ReadOnlyMemory<byte> data, List<SafeTensorEntry> entries, Dictionary<string, string> metadata)
    {
        Source = source;
        _data = data;
        Entries = entries;
        Metadata = metadata;
        _byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    public string Source { get; }

    /// <summary>Tensors in header order.</summary>
    public IReadOnlyList<SafeTensorEntry> Entries { get; }

    /// <summary>The header's "__metadata__" (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Writes the tensors back to back as float32 after the header (names must be unique).</summary>
    public static void Write(Stream stream, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var duplicate = tensors.GroupBy(t => t.Key, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"tensor name '{duplicate.Key}' given twice");
        }
        byte[] header = SafeTensorsHeader.Build(tensors.Select(t => (t.Key, t.Value.Shape.ToArray())).ToList(), SafeTensorsDtype.F32, metadata);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        byte[] chunk = new byte[1 << 16];
        foreach (var (_, tensor) in tensors)
        {
            ReadOnlySpan<float> values = tensor.Span;
            for (int done = 0; done < values.Length; done += chunk.Length / 4)
            {
                int count = Math.Min(chunk.Length / 4, values.Length - done);
                FloatEncoding.Encode(SafeTensorsDtype.F32, values.Slice(done, count), chunk.AsSpan(0, count * 4));
                stream.Write(chunk, 0, count * 4);
            }
        }
    }

    public static byte[] ToBytes(IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var stream = new MemoryStream();
        Write(stream, tensors, metadata);
        return stream.ToArray();
    }

    /// <summary>Validates the header of a received buffer; throws InvalidDataException naming source on any inconsistency.</summary>
    public static SafeTensorsBytes Parse(ReadOnlyMemory<byte> bytes, string source)
    {
        if (bytes.Length < 8)
        {
            throw SafeTensorsHeader.Bad(source, $"truncated: {bytes.Length} bytes, need at least 8 for the header length");
        }
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes.Span);
        if (headerLength > SafeTensorsHeader.MaxHeaderBytes)
        {
            throw SafeTensorsHeader.Bad(source, $"header length {headerLength} is absurdly large (limit {SafeTensorsHeader.MaxHeaderBytes})");
        }
        if ((long)headerLength > bytes.Length - 8)
        {
            throw SafeTensorsHeader.Bad(source, $"header length {headerLength} exceeds the {bytes.Length - 8} bytes after the length prefix (truncated?)");
        }
        var json = bytes.Slice(8, (int)headerLength).ToArray();
        var data = bytes[(8 + (int)headerLength)..];
        var (entries, metadata) = SafeTensorsHeader.Parse(source, json, data.Length);
        // As the reference safetensors library requires: the tensors (which do not overlap) index every data byte, so a
        // received message cannot carry bytes that no tensor accounts for.
        long indexed = entries.Sum(e => e.End - e.Begin);
        if (indexed != data.Length)
        {
            throw SafeTensorsHeader.Bad(source, $"the {data.Length}-byte data section holds {data.Length - indexed} bytes that no tensor indexes");
        }
        return new SafeTensorsBytes(source, data, entries, metadata);
    }

    public SafeTensorEntry? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Converts the entry's data to float32 into destination, which must hold exactly its element count.</summary>
    public void ReadInto(SafeTensorEntry entry, Span<float> destination)
    {
        if (destination.Length != entry.ElementCount)
        {
            throw new ArgumentException($"{Source}: tensor '{entry.Name}' has {entry.ElementCount} elements, destination {destination.Length}");
        }
        FloatEncoding.Decode(entry.Dtype, _data.Span[(int)entry.Begin..(int)entry.End], destination);
    }

    /// <summary>The entry's values as a new float array.</summary>
    public float[] Read(SafeTensorEntry entry)
    {
        var values = new float[entry.ElementCount];
        ReadInto(entry, values);
        return values;
    }
}
