// Reads one tensor's encoded bytes (f32, f16 or bf16) from a file at an offset, a pooled 1 MiB chunk at a time,
// decoding into float32; shared by the safetensors and GGUF readers. Truncation is reported by the caller's message.
using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace FedSpine.Model.Formats;

internal static class EncodedTensorReader
{
    private const int ChunkBytes = 1 << 20;

    /// <summary>destination [count] ← the count encoded values starting at byte <paramref name="position"/>;
    /// throws InvalidDataException(<paramref name="truncated"/>) when the file ends early.</summary>
    public static void Read(SafeFileHandle handle, long position, SafeTensorsDtype encoding, Span<float> destination, Func<string> truncated)
    {
        int elementSize = encoding.ElementSize();
        byte[] chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        try
        {
            int perChunk = ChunkBytes / elementSize;
            for (int done = 0; done < destination.Length; done += perChunk)
            {
                int count = Math.Min(perChunk, destination.Length - done);
                var bytes = chunk.AsSpan(0, count * elementSize);
                long at = position + (long)done * elementSize;
                for (int read = 0; read < bytes.Length;)
                {
                    int n = RandomAccess.Read(handle, bytes[read..], at + read);
                    read += n > 0 ? n : throw new InvalidDataException(truncated());
                }
                FloatEncoding.Decode(encoding, bytes, destination.Slice(done, count));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }
}
