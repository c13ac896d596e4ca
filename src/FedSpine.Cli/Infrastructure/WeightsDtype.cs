// `--weights-dtype f32|bf16` for commands that keep the base model frozen (generate, bench lora/generate): bf16 holds the
// layer linears and embeddings in half the memory, widened to fp32 as they are used (LlamaWeights.FrozenBf16).

namespace FedSpine.Cli.Infrastructure;

internal static class WeightsDtype
{
    public const string Description = "f32 (default) or bf16: hold the frozen base's weights in bf16 (half the memory; computed in fp32)";

    /// <summary>True for bf16, false for f32; anything else is refused.</summary>
    public static bool IsBf16(string dtype) => dtype.ToLowerInvariant() switch
    {
        "f32" or "fp32" or "float32" => false,
        "bf16" or "bfloat16" => true,
        _ => throw new ArgumentException($"--weights-dtype must be f32 or bf16 (got '{dtype}')"),
    };
}
