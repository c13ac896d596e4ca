// Parses and validates a safetensors JSON header ({name: {dtype, shape, data_offsets}}, optional "__metadata__"),
// and builds one. Every problem becomes an InvalidDataException naming the file and what is wrong.
using System.Text.Json;

namespace FedSpine.Model.Formats;

/// <summary>One tensor of a safetensors file: its byte range [Begin, End) is relative to the start of the data section.</summary>
public sealed record SafeTensorEntry(string Name, SafeTensorsDtype Dtype, int[] Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (n, d) => n * d);
}

internal static class SafeTensorsHeader
{
    /// <summary>Largest header accepted (the reference implementation's limit): anything larger is a corrupt length.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    public static (List<SafeTensorEntry> Entries, Dictionary<string, string> Metadata) Parse(string path, byte[] json, long dataLength)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw Bad(path, $"header is not valid JSON ({e.Message})");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Bad(path, $"header must be a JSON object, found {document.RootElement.ValueKind}");
            }
            var entries = new List<SafeTensorEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw Bad(path, $"duplicate entry '{property.Name}' in header");
                }
                if (property.Name == MetadataKey)
                {
                    ReadMetadata(path, property.Value, metadata);
                }
                else
                {
                    entries.Add(ReadEntry(path, property.Name, property.Value, dataLength));
                }
            }
            CheckNoOverlap(path, entries);
            return (entries, metadata);
        }
    }

    /// <summary>UTF-8 header JSON, padded with spaces to a multiple of 8 bytes, for tensors laid out back to back in order.</summary>
    public static byte[] Build(IReadOnlyList<(string Name, int[] Shape)> tensors, SafeTensorsDtype dtype, IReadOnlyDictionary<string, string>? metadata)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    writer.WriteString(key, value);
                }
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, shape) in tensors)
            {
                long bytes = shape.Aggregate(1L, (n, d) => n * d) * dtype.ElementSize();
                writer.WriteStartObject(name);
                writer.WriteString("dtype", dtype.HeaderName());
                writer.WriteStartArray("shape");
                foreach (int d in shape)
                {
                    writer.WriteNumberValue(d);
                }
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + bytes);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += bytes;
            }
            writer.WriteEndObject();
        }
        int padded = (int)((stream.Length + 7) & ~7L);
        while (stream.Length < padded)
        {
            stream.WriteByte((byte)' ');
        }
        return stream.ToArray();
    }

    public static InvalidDataException Bad(string path, string problem) => new($"{path}: invalid safetensors file: {problem}");

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Bad(path, $"{MetadataKey} must be an object of strings, found {value.ValueKind}");
        }
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
            {
                throw Bad(path, $"{MetadataKey} value of '{item.Name}' must be a string, found {item.Value.ValueKind}");
            }
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
            {
                throw Bad(path, $"duplicate {MetadataKey} key '{item.Name}'");
            }
        }
    }

    private static SafeTensorEntry ReadEntry(string path, string name, JsonElement value, long dataLength)
    {
        string where = $"tensor '{name}'";
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Bad(path, $"{where} must be an object, found {value.ValueKind}");
        }
        if (!value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw Bad(path, $"{where} has no string 'dtype'");
        }
        string dtypeName = dtypeElement.GetString()!;
        if (!SafeTensorsDtypes.TryParseHeaderName(dtypeName, out var dtype))
        {
            throw Bad(path, $"{where} has unsupported dtype '{dtypeName}' (supported: F32, F16, BF16)");
        }
        int[] shape = ReadShape(path, where, value);
        long[] offsets = ReadOffsets(path, where, value);
        long begin = offsets[0], end = offsets[1];
        if (begin > end || end > dataLength)
        {
            throw Bad(path, $"{where} data_offsets [{begin}, {end}) are out of range of the {dataLength}-byte data section (file truncated?)");
        }
        long expected = 1;
        foreach (int d in shape)
        {
            expected = checked(expected * d);
        }
        expected = checked(expected * dtype.ElementSize());
        if (end - begin != expected)
        {
            throw Bad(path, $"{where} data_offsets span {end - begin} bytes but shape {Tensors.Tensor.ShapeText(shape)} of {dtypeName} needs {expected}");
        }
        return new SafeTensorEntry(name, dtype, shape, begin, end);
    }

    private static int[] ReadShape(string path, string where, JsonElement value)
    {
        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw Bad(path, $"{where} has no 'shape' array");
        }
        var shape = new int[shapeElement.GetArrayLength()];
        long count = 1;
        int i = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out shape[i]) || shape[i] < 0)
            {
                throw Bad(path, $"{where} shape entry {d.GetRawText()} is not a dimension (non-negative int32)");
            }
            count *= shape[i];
            if (count > Array.MaxLength)
            {
                throw Bad(path, $"{where} shape has more than {Array.MaxLength} elements");
            }
            i++;
        }
        return shape;
    }

    private static long[] ReadOffsets(string path, string where, JsonElement value)
    {
        if (!value.TryGetProperty("data_offsets", out var element) || element.ValueKind != JsonValueKind.Array || element.GetArrayLength() != 2)
        {
            throw Bad(path, $"{where} has no 'data_offsets' pair");
        }
        var offsets = new long[2];
        int i = 0;
        foreach (var o in element.EnumerateArray())
        {
            if (o.ValueKind != JsonValueKind.Number || !o.TryGetInt64(out offsets[i]) || offsets[i] < 0)
            {
                throw Bad(path, $"{where} data_offsets entry {o.GetRawText()} is not a non-negative integer");
            }
            i++;
        }
        return offsets;
    }

    private static void CheckNoOverlap(string path, List<SafeTensorEntry> entries)
    {
        var byStart = entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin).ToList();
        for (int i = 1; i < byStart.Count; i++)
        {
            if (byStart[i].Begin < byStart[i - 1].End)
            {
                throw Bad(path, $"tensors '{byStart[i - 1].Name}' [{byStart[i - 1].Begin}, {byStart[i - 1].End}) and " +
                                $"'{byStart[i].Name}' [{byStart[i].Begin}, {byStart[i].End}) overlap");
            }
        }
    }
}
