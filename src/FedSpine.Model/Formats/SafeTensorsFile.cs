// Reads a safetensors file: 8-byte little-endian header length, JSON header, then raw little-endian tensor data.
// The header is validated up front; tensor data is read on demand in chunks, so files may exceed 2 GB.
using System.Buffers.Binary;
using FedSpine.Tensors;
using Microsoft.Win32.SafeHandles;

namespace FedSpine.Model.Formats;

public sealed partial class SafeTensorsFile : IDisposable
{
    // Buffer size of the streamed writer (the reader streams through EncodedTensorReader).
    private const int ChunkBytes = 1 << 20;


    private readonly SafeFileHandle _handle;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafeTensorEntry> _byName;

    private SafeTensorsFile(string path, SafeFileHandle handle, long dataStart, List<SafeTensorEntry> entries, Dictionary<string, string> metadata)
    {
        Path = path;
        _handle = handle;
        _dataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
        _byName = entries.ToDictionary(e => e.Name, StringComparer.Ordinal);
    }

    public string Path { get; }

    /// <summary>Tensors in header order.</summary>
    public IReadOnlyList<SafeTensorEntry> Entries { get; }

    /// <summary>The header's "__metadata__" (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and validates the header; throws InvalidDataException naming the file on any inconsistency.</summary>
    public static SafeTensorsFile Open(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            long fileLength = RandomAccess.GetLength(handle);
            if (fileLength < 8)
            {
                throw SafeTensorsHeader.Bad(path, $"truncated: {fileLength} bytes, need at least 8 for the header length");
            }
            Span<byte> prefix = stackalloc byte[8];
            ReadFully(handle, path, prefix, 0);
            ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
            if (headerLength > SafeTensorsHeader.MaxHeaderBytes)
            {
                throw SafeTensorsHeader.Bad(path, $"header length {headerLength} is absurdly large (limit {SafeTensorsHeader.MaxHeaderBytes})");
            }
            if ((long)headerLength > fileLength - 8)
            {
                throw SafeTensorsHeader.Bad(path, $"header length {headerLength} exceeds the {fileLength - 8} bytes after the length prefix (file truncated?)");
            }
            var json = new byte[headerLength];
            ReadFully(handle, path, json, 8);
            long dataStart = 8 + (long)headerLength;
            var (entries, metadata) = SafeTensorsHeader.Parse(path, json, fileLength - dataStart);
            return new SafeTensorsFile(path, handle, dataStart, entries, metadata);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public SafeTensorEntry? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The named tensor as a new float32 tensor.</summary>
    public Tensor Read(string name)
    {
        var entry = Find(name) ?? throw new InvalidDataException($"{Path}: no tensor named '{name}'");
        var tensor = new Tensor(entry.Shape);
        ReadInto(entry, tensor.Span);
        return tensor;
    }

    /// <summary>Converts the entry's data to float32 into destination, which must hold exactly its element count.</summary>
    public void ReadInto(SafeTensorEntry entry, Span<float> destination)
    {
        if (destination.Length != entry.ElementCount)
        {
            throw new ArgumentException($"{Path}: tensor '{entry.Name}' has {entry.ElementCount} elements, destination {destination.Length}");
        }
        EncodedTensorReader.Read(_handle, _dataStart + entry.Begin, entry.Dtype, destination,
            () => SafeTensorsHeader.Bad(Path, $"unexpected end of file while reading tensor '{entry.Name}' (file truncated while reading?)").Message);
    }

    public void Dispose() => _handle.Dispose();

    private static void ReadFully(SafeFileHandle handle, string path, Span<byte> destination, long position)
    {
        for (int read = 0; read < destination.Length;)
        {
            int n = RandomAccess.Read(handle, destination[read..], position + read);
            if (n == 0)
            {
                throw SafeTensorsHeader.Bad(path, $"unexpected end of file at byte {position + read} (file truncated while reading?)");
            }
            read += n;
        }
    }
}
