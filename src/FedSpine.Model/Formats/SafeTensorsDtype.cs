// Element types this engine reads from and writes to safetensors files (F32, F16, BF16), with their sizes and names.
// Other safetensors dtypes (integers, F64, FP8) are reported as unsupported rather than misread.
namespace FedSpine.Model.Formats;

public enum SafeTensorsDtype
{
    F32,
    F16,
    BF16,
}

public static class SafeTensorsDtypes
{
    public static int ElementSize(this SafeTensorsDtype dtype) => dtype == SafeTensorsDtype.F32 ? 4 : 2;

    /// <summary>The name in a safetensors header ("F32", "F16", "BF16").</summary>
    public static string HeaderName(this SafeTensorsDtype dtype) => dtype switch
    {
        SafeTensorsDtype.F32 => "F32",
        SafeTensorsDtype.F16 => "F16",
        SafeTensorsDtype.BF16 => "BF16",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The name in config.json's torch_dtype ("float32", "float16", "bfloat16").</summary>
    public static string TorchName(this SafeTensorsDtype dtype) => dtype switch
    {
        SafeTensorsDtype.F32 => "float32",
        SafeTensorsDtype.F16 => "float16",
        SafeTensorsDtype.BF16 => "bfloat16",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>Parses a user's choice: f32/f16/bf16, the header names, or the torch_dtype names (any case).</summary>
    public static SafeTensorsDtype Parse(string name) => name.ToLowerInvariant() switch
    {
        "f32" or "float32" or "fp32" => SafeTensorsDtype.F32,
        "f16" or "float16" or "fp16" => SafeTensorsDtype.F16,
        "bf16" or "bfloat16" => SafeTensorsDtype.BF16,
        _ => throw new ArgumentException($"unknown dtype '{name}' (expected f32, f16 or bf16)", nameof(name)),
    };

    public static bool TryParseHeaderName(string name, out SafeTensorsDtype dtype)
    {
        switch (name)
        {
            case "F32": dtype = SafeTensorsDtype.F32; return true;
            case "F16": dtype = SafeTensorsDtype.F16; return true;
            case "BF16": dtype = SafeTensorsDtype.BF16; return true;
            default: dtype = default; return false;
        }
    }
}
