// Reads a GGUF file (v2/v3, little-endian): "GGUF" magic, version, counts, metadata key/values, tensor table, aligned data.
// The header is validated up front (counts, types, dims, offsets, alignment); tensor data is read on demand as float32.
using Microsoft.Win32.SafeHandles;

namespace FedSpine.Model.Formats;

public sealed partial class GgufFile : IDisposable
{
    // Buffer size of the streamed writer (the reader streams through EncodedTensorReader).
    private const int ChunkBytes = 1 << 20;

    public const uint Magic = 0x46554747; // "GGUF" read as a little-endian uint32
    public const uint CurrentVersion = 3;
    public const uint DefaultAlignment = 32;
    public const string AlignmentKey = "general.alignment";


    private readonly SafeFileHandle _handle;
    private readonly Dictionary<string, GgufValue> _metadataByKey;
    private readonly Dictionary<string, GgufTensorInfo> _tensorsByName;

    private GgufFile(string path, SafeFileHandle handle, uint version, List<KeyValuePair<string, GgufValue>> metadata,
        List<GgufTensorInfo> tensors, uint alignment, long dataStart)
    {
        Path = path;
        _handle = handle;
        Version = version;
        Metadata = metadata;
        Tensors = tensors;
        Alignment = alignment;
        DataStart = dataStart;
        _metadataByKey = metadata.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        _tensorsByName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public string Path { get; }
    public uint Version { get; }

    /// <summary>Metadata key/values in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, GgufValue>> Metadata { get; }

    /// <summary>Tensor table in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    public uint Alignment { get; }

    /// <summary>Byte position of the tensor data section (the end of the header, padded to the alignment).</summary>
    public long DataStart { get; }

    public GgufValue? Find(string key) => _metadataByKey.GetValueOrDefault(key);

    public GgufTensorInfo? FindTensor(string name) => _tensorsByName.GetValueOrDefault(name);

    /// <summary>Opens and validates the header; throws InvalidDataException naming the file on any inconsistency.</summary>
    public static GgufFile Read(string path)
    {
        uint version, alignment;
        List<KeyValuePair<string, GgufValue>> metadata;
        List<GgufTensorInfo> tensors;
        long dataStart;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        {
            var reader = new GgufBinaryReader(stream, path);
            uint magic = reader.ReadUInt32("magic");
            if (magic != Magic)
            {
                throw reader.Bad($"bad magic 0x{magic:X8} (a GGUF file starts with the bytes \"GGUF\")");
            }
            version = reader.ReadUInt32("version");
            if (version is not (2 or 3))
            {
                throw reader.Bad($"unsupported version {version} (this reader handles versions 2 and 3)");
            }
            long tensorCount = reader.ReadCount("tensor count", 8 + 4 + 8 + 4 + 8); // name length, n_dims, one dim, type, offset
            long kvCount = reader.ReadCount("metadata key/value count", 8 + 4);    // key length, value type
            metadata = ReadMetadata(reader, kvCount);
            alignment = AlignmentOf(reader, metadata);
            tensors = ReadTensorInfos(reader, tensorCount);
            dataStart = AlignUp(reader.Position, alignment);
            CheckTensorData(reader, tensors, alignment, dataStart, stream.Length);
        }
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return new GgufFile(path, handle, version, metadata, tensors, alignment, dataStart);
    }

    /// <summary>The named tensor's data as float32 into destination, which must hold exactly its element count.</summary>
    public void ReadInto(GgufTensorInfo tensor, Span<float> destination)
    {
        if (destination.Length != tensor.ElementCount)
        {
            throw new ArgumentException($"{Path}: tensor '{tensor.Name}' has {tensor.ElementCount} elements, destination {destination.Length}");
        }
        EncodedTensorReader.Read(_handle, DataStart + tensor.Offset, tensor.Type.Encoding(), destination,
            () => $"{Path}: invalid GGUF file: truncated while reading tensor '{tensor.Name}'");
    }

    public void Dispose() => _handle.Dispose();

    internal static long AlignUp(long position, uint alignment) => (position + alignment - 1) / alignment * alignment;

    private static List<KeyValuePair<string, GgufValue>> ReadMetadata(GgufBinaryReader reader, long count)
    {
        var metadata = new List<KeyValuePair<string, GgufValue>>((int)Math.Min(count, 1024));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < count; i++)
        {
            string key = reader.ReadString($"metadata key {i}");
            if (!seen.Add(key))
            {
                throw reader.Bad($"metadata key '{key}' appears twice");
            }
            var type = reader.ReadValueType($"metadata '{key}'");
            metadata.Add(new(key, reader.ReadValue(type, $"metadata '{key}'")));
        }
        return metadata;
    }

    private static uint AlignmentOf(GgufBinaryReader reader, List<KeyValuePair<string, GgufValue>> metadata)
    {
        var entry = metadata.FirstOrDefault(kv => kv.Key == AlignmentKey).Value;
        if (entry is null)
        {
            return DefaultAlignment;
        }
        if (entry.Type != GgufValueType.UInt32 || (uint)entry.Value is 0 or > 1u << 30 || !uint.IsPow2((uint)entry.Value))
        {
            throw reader.Bad($"{AlignmentKey} must be a uint32 power of two up to 2^30, found {entry}");
        }
        return (uint)entry.Value;
    }

    private static List<GgufTensorInfo> ReadTensorInfos(GgufBinaryReader reader, long count)
    {
        var tensors = new List<GgufTensorInfo>((int)Math.Min(count, 4096));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < count; i++)
        {
            string name = reader.ReadString($"name of tensor {i}");
            if (!seen.Add(name))
            {
                throw reader.Bad($"tensor '{name}' appears twice in the tensor table");
            }
            uint dimCount = reader.ReadUInt32($"dimension count of tensor '{name}'");
            if (dimCount is 0 or > GgufTensorInfo.MaxDims)
            {
                throw reader.Bad($"tensor '{name}' has {dimCount} dimensions (GGUF allows 1 to {GgufTensorInfo.MaxDims})");
            }
            var dims = new long[dimCount];
            long elements = 1;
            for (int d = 0; d < dims.Length; d++)
            {
                ulong dim = reader.ReadUInt64($"dimension {d} of tensor '{name}'");
                if (dim == 0 || dim > (ulong)Array.MaxLength || (elements *= (long)dim) > Array.MaxLength)
                {
                    throw reader.Bad($"tensor '{name}' dimension {d} is {dim}: each dimension must be positive and the tensor at most {Array.MaxLength} elements");
                }
                dims[d] = (long)dim;
            }
            uint type = reader.ReadUInt32($"type of tensor '{name}'");
            if (!Enum.IsDefined((GgmlType)type))
            {
                throw reader.Bad($"tensor '{name}' has ggml type {type}; only F32 (0) and F16 (1) are supported");
            }
            ulong offset = reader.ReadUInt64($"offset of tensor '{name}'");
            if (offset > long.MaxValue)
            {
                throw reader.Bad($"tensor '{name}' has absurd offset {offset}");
            }
            tensors.Add(new GgufTensorInfo(name, dims, (GgmlType)type, (long)offset));
        }
        return tensors;
    }

    private static void CheckTensorData(GgufBinaryReader reader, List<GgufTensorInfo> tensors, uint alignment, long dataStart, long fileLength)
    {
        foreach (var t in tensors)
        {
            if (t.Offset % alignment != 0)
            {
                throw reader.Bad($"tensor '{t.Name}' offset {t.Offset} is not a multiple of the alignment {alignment}");
            }
            if (t.Offset > fileLength - dataStart - t.ByteCount)
            {
                throw reader.Bad($"tensor '{t.Name}' {t.Type} {t.DimsText} needs bytes [{dataStart + t.Offset}, {dataStart + t.Offset + t.ByteCount}) " +
                                 $"but the file has {fileLength} (truncated?)");
            }
        }
        var byStart = tensors.Where(t => t.ByteCount > 0).OrderBy(t => t.Offset).ToList();
        for (int i = 1; i < byStart.Count; i++)
        {
            if (byStart[i].Offset < byStart[i - 1].Offset + byStart[i - 1].ByteCount)
            {
                throw reader.Bad($"tensors '{byStart[i - 1].Name}' and '{byStart[i].Name}' overlap in the data section");
            }
        }
    }
}
