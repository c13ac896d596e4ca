// ggml element types this engine reads and writes in GGUF files (F32, F16), with sizes, float encodings and names.
// Quantized ggml types are reported as unsupported rather than misread.
namespace FedSpine.Model.Formats;

/// <summary>ggml element types this engine reads and writes, with their numbers in the file (ggml_type).</summary>
public enum GgmlType : uint
{
    F32 = 0,
    F16 = 1,
}

public static class GgmlTypes
{
    public static int ElementSize(this GgmlType type) => type switch
    {
        GgmlType.F32 => 4,
        GgmlType.F16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "only F32 and F16 are supported"),
    };

    /// <summary>The matching float encoding (GGUF F32/F16 are the IEEE little-endian formats safetensors uses).</summary>
    public static SafeTensorsDtype Encoding(this GgmlType type) => type switch
    {
        GgmlType.F32 => SafeTensorsDtype.F32,
        GgmlType.F16 => SafeTensorsDtype.F16,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "only F32 and F16 are supported"),
    };

    /// <summary>Parses a user's choice: f32/f16 (also float32/float16/fp32/fp16), any case.</summary>
    public static GgmlType Parse(string name) => name.ToLowerInvariant() switch
    {
        "f32" or "float32" or "fp32" => GgmlType.F32,
        "f16" or "float16" or "fp16" => GgmlType.F16,
        _ => throw new ArgumentException($"unsupported GGUF tensor type '{name}' (expected f32 or f16)", nameof(name)),
    };
}
