// Tensor names as llama.cpp's llama architecture expects them in GGUF, mapped to and from this engine's HF names.
// token_embd, blk.{i}.attn_norm/attn_q/attn_k/attn_v(.weight/.bias)/attn_output/ffn_norm/ffn_gate/ffn_up/ffn_down, output_norm, output.
namespace FedSpine.Model.Formats;

public static class GgufTensorNames
{
    private static readonly (string Hf, string Gguf)[] LayerNames =
    [
        ("input_layernorm.weight", "attn_norm.weight"),
        ("self_attn.q_proj.weight", "attn_q.weight"),
        ("self_attn.k_proj.weight", "attn_k.weight"),
        ("self_attn.v_proj.weight", "attn_v.weight"),
        ("self_attn.q_proj.bias", "attn_q.bias"),
        ("self_attn.k_proj.bias", "attn_k.bias"),
        ("self_attn.v_proj.bias", "attn_v.bias"),
        ("self_attn.o_proj.weight", "attn_output.weight"),
        ("post_attention_layernorm.weight", "ffn_norm.weight"),
        ("mlp.gate_proj.weight", "ffn_gate.weight"),
        ("mlp.up_proj.weight", "ffn_up.weight"),
        ("mlp.down_proj.weight", "ffn_down.weight"),
    ];

    /// <summary>The GGUF name of an HF tensor name ("model.layers.3.mlp.up_proj.weight" → "blk.3.ffn_up.weight").</summary>
    public static string FromHf(string hfName)
    {
        switch (hfName)
        {
            case "model.embed_tokens.weight": return "token_embd.weight";
            case "model.norm.weight": return "output_norm.weight";
            case "lm_head.weight": return "output.weight";
        }
        const string Prefix = "model.layers.";
        if (hfName.StartsWith(Prefix, StringComparison.Ordinal))
        {
            int dot = hfName.IndexOf('.', Prefix.Length);
            if (dot > Prefix.Length)
            {
                string layer = hfName[Prefix.Length..dot], rest = hfName[(dot + 1)..];
                foreach (var (hf, gguf) in LayerNames)
                {
                    if (rest == hf)
                    {
                        return $"blk.{layer}.{gguf}";
                    }
                }
            }
        }
        throw new ArgumentException($"no GGUF name for tensor '{hfName}'", nameof(hfName));
    }

    /// <summary>True for 1-D norm weights, which GGUF files keep in F32 whatever the chosen type.</summary>
    public static bool IsNorm(string ggufName) => ggufName.EndsWith("_norm.weight", StringComparison.Ordinal);
}
