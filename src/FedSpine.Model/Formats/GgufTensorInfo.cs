// One entry of a GGUF file's tensor table: name, dims innermost-first (ne[0] = in-features of an [out, in] weight),
// ggml element type and byte offset from the start of the tensor data section.
namespace FedSpine.Model.Formats;

public sealed record GgufTensorInfo(string Name, long[] Dims, GgmlType Type, long Offset)
{
    /// <summary>GGML's limit on dimensions per tensor.</summary>
    public const int MaxDims = 4;

    public long ElementCount => Dims.Aggregate(1L, (n, d) => n * d);

    public long ByteCount => ElementCount * Type.ElementSize();

    /// <summary>Row-major shape as this engine and PyTorch write it: the dims reversed (outermost first).</summary>
    public int[] Shape => Dims.Reverse().Select(d => (int)d).ToArray();

    /// <summary>GGUF dims (innermost first) of a row-major shape.</summary>
    public static long[] DimsOf(ReadOnlySpan<int> shape)
    {
        var dims = new long[shape.Length];
        for (int i = 0; i < shape.Length; i++)
        {
            dims[i] = shape[shape.Length - 1 - i];
        }
        return dims;
    }

    public string DimsText => "[" + string.Join(", ", Dims) + "]";
}
