#!/usr/bin/python3
"""Scaled-down random-weight checkpoints of real LLaMA-family models, with golden logits in float64.

For each family (TinyLlama / Llama-2, SmolLM2, Llama-3.2 with rope_scaling llama3, Llama-3.2-Instruct, Qwen2.5,
Mistral-7B-v0.1, plus linear and dynamic rope_scaling variants) this writes, under --out/<family>/:
  config.json         that family's exact config keys (values scaled down: hidden sizes, layers, vocab, windows)
  model.safetensors   random weights under the exact HF tensor names (bf16 where the family ships bf16)
  golden.safetensors  input_ids [1, T] (as float32) and logits [T, vocab] from the forward below, in float64

The forward pass is written here in plain torch float64 (transformers cannot be installed), following the
conventions of HF's modeling_llama / modeling_mistral / modeling_qwen2 and modeling_rope_utils:
  * RMSNorm x * rsqrt(mean(x^2) + eps) * w; SwiGLU MLP down(silu(gate(x)) * up(x)); no MLP biases
  * q/k/v projections with biases for qwen2 (o_proj without); RoPE "rotate_half" (pairs i, i + head_dim/2)
  * inverse frequencies per rope_scaling: default base^(-2i/d); linear: divided by factor; llama3: wavelengths
    above original/low_freq_factor divided by factor, below original/high_freq_factor kept, the band between
    blended; dynamic: base * (factor*L/max_pos - (factor-1))^(d/(d-2)) with L = max(seq_len, max_pos)
  * grouped-query attention (query head h reads kv head h // (heads/kv_heads)), causal mask, and for mistral a
    sliding window: query i sees keys j with i - window < j <= i
  * lm_head, or the embedding when tie_word_embeddings (SmolLM2's file also stores an equal lm_head.weight)
The prompt (T = 80 tokens) is longer than Mistral's window and than llama3's original_max_position_embeddings,
and the dynamic variant's max_position_embeddings, so every scaled path is exercised.

Run:  nice -n 10 /usr/bin/python3 tests/reference/make_family_fixtures.py --out tests/fixtures/hf-families
"""
import argparse
import json
import math
import os
import struct

import torch

TOKENS = 80
WEIGHT_STD = 0.15


def llama2_config(**scaled):
    # TinyLlama-1.1B-intermediate-step-1431k-3T config.json keys (Llama-2 style, no rope_theta key).
    c = {
        "architectures": ["LlamaForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
        "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 5632, "max_position_embeddings": 2048,
        "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 22, "num_key_value_heads": 4,
        "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": None, "tie_word_embeddings": False,
        "torch_dtype": "float32", "transformers_version": "4.35.0", "use_cache": True, "vocab_size": 32000}
    c.update(scaled)
    return c


def smollm2_config(**scaled):
    # SmolLM2-135M config.json keys (tied, 9 query / 3 kv heads, theta 1e5, nanotron's rope_interleaved: false).
    c = {
        "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0, "bos_token_id": 0,
        "eos_token_id": 0, "hidden_act": "silu", "hidden_size": 576, "initializer_range": 0.041666666666666664,
        "intermediate_size": 1536, "is_llama_config": True, "max_position_embeddings": 8192, "mlp_bias": False,
        "model_type": "llama", "num_attention_heads": 9, "num_hidden_layers": 30, "num_key_value_heads": 3,
        "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_interleaved": False, "rope_scaling": None,
        "rope_theta": 100000, "tie_word_embeddings": True, "torch_dtype": "float32",
        "transformers_version": "4.42.3", "use_cache": True, "vocab_size": 49152}
    c.update(scaled)
    return c


def llama32_config(**scaled):
    # Llama-3.2-1B config.json keys (explicit head_dim, rope_scaling llama3, theta 5e5, tied).
    c = {
        "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "bos_token_id": 128000, "eos_token_id": 128001, "head_dim": 64, "hidden_act": "silu", "hidden_size": 2048,
        "initializer_range": 0.02, "intermediate_size": 8192, "max_position_embeddings": 131072, "mlp_bias": False,
        "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8,
        "pretraining_tp": 1, "rms_norm_eps": 1e-05,
        "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                         "original_max_position_embeddings": 8192, "rope_type": "llama3"},
        "rope_theta": 500000.0, "tie_word_embeddings": True, "torch_dtype": "bfloat16",
        "transformers_version": "4.45.0.dev0", "use_cache": True, "vocab_size": 128256}
    c.update(scaled)
    return c


def qwen25_config(**scaled):
    # Qwen2.5-0.5B config.json keys (q/k/v biases implied by model_type qwen2, tied, unused sliding_window).
    c = {
        "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": 151643,
        "eos_token_id": 151643, "hidden_act": "silu", "hidden_size": 896, "initializer_range": 0.02,
        "intermediate_size": 4864, "max_position_embeddings": 32768, "max_window_layers": 24, "model_type": "qwen2",
        "num_attention_heads": 14, "num_hidden_layers": 24, "num_key_value_heads": 2, "rms_norm_eps": 1e-06,
        "rope_theta": 1000000.0, "sliding_window": 32768, "tie_word_embeddings": True, "torch_dtype": "bfloat16",
        "transformers_version": "4.40.1", "use_cache": True, "use_mrope": False, "use_sliding_window": False,
        "vocab_size": 151936}
    c.update(scaled)
    return c


def mistral_config(**scaled):
    # Mistral-7B-v0.1 config.json keys (sliding_window 4096, untied).
    c = {
        "architectures": ["MistralForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
        "hidden_size": 4096, "initializer_range": 0.02, "intermediate_size": 14336, "max_position_embeddings": 32768,
        "model_type": "mistral", "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
        "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "sliding_window": 4096, "tie_word_embeddings": False,
        "torch_dtype": "bfloat16", "transformers_version": "4.34.0.dev0", "use_cache": True, "vocab_size": 32000}
    c.update(scaled)
    return c


# name -> (config, seed, store bf16, store an lm_head.weight equal to the tied embedding)
FAMILIES = {
    "tinyllama": (llama2_config(hidden_size=32, intermediate_size=88, max_position_embeddings=128,
                                num_attention_heads=8, num_hidden_layers=2, num_key_value_heads=1, vocab_size=96),
                  101, False, False),
    "smollm2": (smollm2_config(hidden_size=36, intermediate_size=64, max_position_embeddings=256,
                               num_hidden_layers=2, vocab_size=96), 102, False, True),
    "llama32": (llama32_config(head_dim=16, hidden_size=48, intermediate_size=96, max_position_embeddings=1024,
                               num_attention_heads=4, num_hidden_layers=2, num_key_value_heads=2,
                               rope_scaling={"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                                             "original_max_position_embeddings": 64, "rope_type": "llama3"},
                               bos_token_id=90, eos_token_id=91, vocab_size=96), 103, True, False),
    "llama32-instruct": (llama32_config(head_dim=16, hidden_size=48, intermediate_size=96,
                                        max_position_embeddings=1024, num_attention_heads=4, num_hidden_layers=2,
                                        num_key_value_heads=2,
                                        rope_scaling={"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                                                      "original_max_position_embeddings": 64, "rope_type": "llama3"},
                                        bos_token_id=90, eos_token_id=[91, 94, 95], vocab_size=96), 104, True, False),
    "qwen25": (qwen25_config(hidden_size=48, intermediate_size=80, max_position_embeddings=512, max_window_layers=2,
                             num_attention_heads=6, num_hidden_layers=2, num_key_value_heads=2, sliding_window=512,
                             bos_token_id=1, eos_token_id=2, vocab_size=544), 105, True, False),
    "mistral": (mistral_config(hidden_size=48, intermediate_size=96, max_position_embeddings=512,
                               num_attention_heads=4, num_hidden_layers=2, num_key_value_heads=2, sliding_window=16,
                               vocab_size=96), 106, False, False),
    "llama-linear": (llama2_config(hidden_size=32, intermediate_size=64, max_position_embeddings=256,
                                   num_attention_heads=4, num_hidden_layers=2, num_key_value_heads=2, vocab_size=96,
                                   rope_theta=10000.0, rope_scaling={"type": "linear", "factor": 4.0}),
                     107, False, False),
    "llama-dynamic": (llama2_config(hidden_size=32, intermediate_size=64, max_position_embeddings=32,
                                    num_attention_heads=4, num_hidden_layers=2, num_key_value_heads=2, vocab_size=96,
                                    rope_theta=10000.0, rope_scaling={"type": "dynamic", "factor": 2.0}),
                      108, False, False),
}


def head_dim(c):
    return c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]


def make_weights(c, g, bf16):
    """HF-named float64 weights (rounded through bf16 when the file stores bf16, so the golden logits use exactly
    the stored values)."""
    h, v, f, hd = c["hidden_size"], c["vocab_size"], c["intermediate_size"], head_dim(c)
    q, kv = c["num_attention_heads"] * hd, c["num_key_value_heads"] * hd
    normal = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64) * WEIGHT_STD
    norm = lambda n: 1.0 + 0.1 * torch.randn(n, generator=g, dtype=torch.float64)
    w = {"model.embed_tokens.weight": normal(v, h)}
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        w[p + "input_layernorm.weight"] = norm(h)
        w[p + "self_attn.q_proj.weight"] = normal(q, h)
        w[p + "self_attn.k_proj.weight"] = normal(kv, h)
        w[p + "self_attn.v_proj.weight"] = normal(kv, h)
        if c["model_type"] == "qwen2":
            w[p + "self_attn.q_proj.bias"] = normal(q) * 3
            w[p + "self_attn.k_proj.bias"] = normal(kv) * 3
            w[p + "self_attn.v_proj.bias"] = normal(kv) * 3
        w[p + "self_attn.o_proj.weight"] = normal(h, q)
        w[p + "post_attention_layernorm.weight"] = norm(h)
        w[p + "mlp.gate_proj.weight"] = normal(f, h)
        w[p + "mlp.up_proj.weight"] = normal(f, h)
        w[p + "mlp.down_proj.weight"] = normal(h, f)
    w["model.norm.weight"] = norm(h)
    if not c["tie_word_embeddings"]:
        w["lm_head.weight"] = normal(v, h)
    if bf16:
        w = {k: t.to(torch.bfloat16).to(torch.float64) for k, t in w.items()}
    return w


def inverse_frequencies(c, seq_len):
    """modeling_rope_utils conventions, in float64."""
    dim, base = head_dim(c), float(c.get("rope_theta", 10000.0))
    rs = c.get("rope_scaling") or {}
    kind = rs.get("rope_type", rs.get("type", "default"))
    if kind == "dynamic":
        max_pos = c["max_position_embeddings"]
        length = max(seq_len, max_pos)
        base = base * ((rs["factor"] * length / max_pos) - (rs["factor"] - 1)) ** (dim / (dim - 2))
    inv = 1.0 / base ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim)
    if kind == "linear":
        inv = inv / rs["factor"]
    elif kind == "llama3":
        factor, low, high = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
        original = rs["original_max_position_embeddings"]
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > original / low, inv / factor, inv)
        smooth = (original / wavelen - low) / (high - low)
        blended = (1 - smooth) * scaled / factor + smooth * scaled
        middle = (wavelen >= original / high) & (wavelen <= original / low)
        inv = torch.where(middle, blended, scaled)
    elif kind not in ("default", "dynamic"):
        raise ValueError(kind)
    return inv


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    rotated = torch.cat((-x[..., half:], x[..., :half]), dim=-1)
    return x * cos + rotated * sin


def forward(c, w, ids):
    """Logits [T, vocab] of one sequence, float64."""
    T, hd = ids.shape[0], head_dim(c)
    H, KV = c["num_attention_heads"], c["num_key_value_heads"]
    eps = c["rms_norm_eps"]
    inv = inverse_frequencies(c, T)
    angles = torch.arange(T, dtype=torch.float64)[:, None] * inv[None, :]
    cos = torch.cat((angles, angles), -1).cos()[:, None, :]   # [T, 1, hd]
    sin = torch.cat((angles, angles), -1).sin()[:, None, :]
    allowed = torch.ones(T, T, dtype=torch.bool).tril()
    window = c.get("sliding_window") if c["model_type"] == "mistral" else None
    if window is not None:
        i = torch.arange(T)[:, None]
        j = torch.arange(T)[None, :]
        allowed &= j > i - window
    x = w["model.embed_tokens.weight"][ids]
    for layer in range(c["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        proj = lambda name: h @ w[p + f"self_attn.{name}.weight"].T + (
            w[p + f"self_attn.{name}.bias"] if p + f"self_attn.{name}.bias" in w else 0)
        q = rotate(proj("q_proj").view(T, H, hd), cos, sin)
        k = rotate(proj("k_proj").view(T, KV, hd), cos, sin)
        v = proj("v_proj").view(T, KV, hd)
        k = k.repeat_interleave(H // KV, dim=1)
        v = v.repeat_interleave(H // KV, dim=1)
        scores = torch.einsum("ihd,jhd->hij", q, k) / math.sqrt(hd)
        scores = scores.masked_fill(~allowed, float("-inf"))
        attn = torch.einsum("hij,jhd->ihd", scores.softmax(-1), v).reshape(T, H * hd)
        x = x + attn @ w[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        up = h @ w[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if c["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


def write_safetensors(path, tensors, dtype):
    """tensors: name -> float64 tensor; dtype 'F32' or 'BF16'."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        if dtype == "BF16":
            data = t.to(torch.bfloat16).contiguous().view(torch.int16).numpy().tobytes()
        else:
            data = t.to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    for name, (config, seed, bf16, stored_head) in FAMILIES.items():
        config = dict(config, torch_dtype="bfloat16" if bf16 else "float32")
        folder = os.path.join(args.out, name)
        os.makedirs(folder, exist_ok=True)
        g = torch.Generator().manual_seed(seed)
        w = make_weights(config, g, bf16)
        tokenizer_vocab = 512 if name == "qwen25" else config["vocab_size"]  # qwen25: rows beyond the tokenizer
        ids = torch.randint(0, tokenizer_vocab, (TOKENS,), generator=g)
        logits = forward(config, w, ids)
        stored = dict(w)
        if stored_head:
            stored["lm_head.weight"] = w["model.embed_tokens.weight"]
        write_safetensors(os.path.join(folder, "model.safetensors"), stored, "BF16" if bf16 else "F32")
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(config, f, indent=2, sort_keys=True)
            f.write("\n")
        write_safetensors(os.path.join(folder, "golden.safetensors"),
                          {"input_ids": ids.to(torch.float64)[None, :], "logits": logits}, "F32")
        print(f"{name}: {sum(t.numel() for t in w.values())} parameters, logits |max| {logits.abs().max():.3f}")


if __name__ == "__main__":
    main()
