#!/usr/bin/python3
"""Checks that a Hugging Face LLaMA folder computes the same function as the llama2.c checkpoint it came from.

Two independent forward passes in plain torch, float64:
  * llama2.c's own formulation, reading the .bin directly: interleaved RoPE (pairs 2i, 2i+1 rotated by
    pos * 10000^(-2i/head_size), as run.c / model.py do), GQA, RMSNorm eps 1e-5, SwiGLU, tied or untied classifier;
  * Hugging Face LlamaForCausalLM's formulation, reading config.json + safetensors: rotate_half RoPE with
    inv_freq = theta^(-arange(0, hd, 2) / hd) and cos/sin concatenated twice, repeat_kv, config-driven sizes.
The same tokens (1, then 40 seeded pseudo-random ids) go through both; the logits must agree to 1e-6 of their
largest magnitude. Prints one JSON line; exits non-zero with a message on any mismatch.

Run:  /usr/bin/python3 tests/reference/check_hf_folder.py --bin stories260K.bin --folder converted/
"""
import argparse
import json
import math
import os
import struct
import sys

import torch

F64 = torch.float64


def fail(message):
    print(f"check_hf_folder: FAIL: {message}", file=sys.stderr)
    sys.exit(1)


# ---------------------------------------------------------------------------------------------- llama2.c side

def read_llama2c(path):
    with open(path, "rb") as f:
        data = f.read()
    dim, hidden, n_layers, n_heads, n_kv_heads, vocab, seq_len = struct.unpack_from("<7i", data, 0)
    hp = dict(dim=dim, hidden_dim=hidden, n_layers=n_layers, n_heads=n_heads, n_kv_heads=n_kv_heads,
              vocab_size=abs(vocab), seq_len=seq_len, shared_classifier=vocab > 0)
    head_size, vocab = dim // n_heads, abs(vocab)
    kv_dim = n_kv_heads * head_size
    floats = torch.frombuffer(bytearray(data[28:]), dtype=torch.float32).to(F64)
    offset = 0

    def take(*shape):
        nonlocal offset
        n = math.prod(shape)
        if offset + n > floats.numel():
            fail(f"{path}: truncated")
        t = floats[offset:offset + n].reshape(shape)
        offset += n
        return t

    w = dict(token_embedding=take(vocab, dim), rms_att=take(n_layers, dim), wq=take(n_layers, dim, dim),
             wk=take(n_layers, kv_dim, dim), wv=take(n_layers, kv_dim, dim), wo=take(n_layers, dim, dim),
             rms_ffn=take(n_layers, dim), w1=take(n_layers, hidden, dim), w2=take(n_layers, dim, hidden),
             w3=take(n_layers, hidden, dim), rms_final=take(dim),
             freq_cis_real=take(seq_len, head_size // 2), freq_cis_imag=take(seq_len, head_size // 2))
    w["wcls"] = w["token_embedding"] if hp["shared_classifier"] else take(vocab, dim)
    if offset != floats.numel():
        fail(f"{path}: {floats.numel() - offset} trailing floats after the weights")
    return hp, w


def llama2c_rms(x, weight):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-5) * weight


def llama2c_rope(x, pos, head_size):
    """x [T, heads, head_size]; rotates the pairs (2i, 2i+1) by the angle pos * 10000^(-2i/head_size)."""
    freq = 1.0 / 10000.0 ** (torch.arange(0, head_size, 2, dtype=F64) / head_size)
    angle = pos[:, None, None].to(F64) * freq  # [T, 1, head_size/2]
    re, im = x[..., 0::2], x[..., 1::2]
    out = torch.empty_like(x)
    out[..., 0::2] = re * torch.cos(angle) - im * torch.sin(angle)
    out[..., 1::2] = re * torch.sin(angle) + im * torch.cos(angle)
    return out


def llama2c_forward(hp, w, tokens):
    dim, n_heads, n_kv_heads = hp["dim"], hp["n_heads"], hp["n_kv_heads"]
    hs, T = dim // n_heads, len(tokens)
    pos = torch.arange(T)
    mask = torch.full((T, T), float("-inf"), dtype=F64).triu(1)
    x = w["token_embedding"][torch.tensor(tokens)]
    for l in range(hp["n_layers"]):
        xb = llama2c_rms(x, w["rms_att"][l])
        q = llama2c_rope((xb @ w["wq"][l].T).view(T, n_heads, hs), pos, hs)
        k = llama2c_rope((xb @ w["wk"][l].T).view(T, n_kv_heads, hs), pos, hs)
        v = (xb @ w["wv"][l].T).view(T, n_kv_heads, hs)
        heads = []
        for h in range(n_heads):  # run.c: query head h reads kv head h / (n_heads / n_kv_heads)
            kv = h // (n_heads // n_kv_heads)
            att = torch.softmax(q[:, h] @ k[:, kv].T / math.sqrt(hs) + mask, dim=-1)
            heads.append(att @ v[:, kv])
        x = x + torch.cat(heads, dim=-1) @ w["wo"][l].T
        xb = llama2c_rms(x, w["rms_ffn"][l])
        x = x + (torch.nn.functional.silu(xb @ w["w1"][l].T) * (xb @ w["w3"][l].T)) @ w["w2"][l].T
    return llama2c_rms(x, w["rms_final"]) @ w["wcls"].T


# ---------------------------------------------------------------------------------------------- Hugging Face side

def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8:8 + header_len])
    body = memoryview(data)[8 + header_len:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = bytearray(body[begin:end])
        dtype = info["dtype"]
        if dtype == "F32":
            t = torch.frombuffer(raw, dtype=torch.float32)
        elif dtype == "F16":
            t = torch.frombuffer(raw, dtype=torch.float16)
        elif dtype == "BF16":  # bf16 is the top half of an fp32
            t = (torch.frombuffer(raw, dtype=torch.int16).to(torch.int32) << 16).view(torch.float32)
        else:
            fail(f"{path}: tensor '{name}' has unsupported dtype {dtype}")
        tensors[name] = t.to(F64).reshape(info["shape"])
    return tensors


def read_hf_folder(folder):
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    index = os.path.join(folder, "model.safetensors.index.json")
    files = ["model.safetensors"]
    if not os.path.exists(os.path.join(folder, files[0])) and os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    weights = {}
    for name in files:
        weights.update(read_safetensors(os.path.join(folder, name)))
    return cfg, weights


def hf_rms(x, weight, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def repeat_kv(x, n_rep):
    """[kv_heads, T, hd] -> [kv_heads * n_rep, T, hd], each kv head repeated n_rep times in a row."""
    kv_heads, T, hd = x.shape
    return x[:, None].expand(kv_heads, n_rep, T, hd).reshape(kv_heads * n_rep, T, hd)


def hf_forward(cfg, weights, tokens):
    used = set()

    def w(name):
        if name not in weights:
            fail(f"the folder has no tensor '{name}'")
        used.add(name)
        return weights[name]

    heads, kv_heads = cfg["num_attention_heads"], cfg.get("num_key_value_heads", cfg["num_attention_heads"])
    hd = cfg.get("head_dim") or cfg["hidden_size"] // heads
    eps, theta = cfg.get("rms_norm_eps", 1e-6), cfg.get("rope_theta", 10000.0)  # LlamaConfig's defaults
    T = len(tokens)
    inv_freq = 1.0 / theta ** (torch.arange(0, hd, 2, dtype=torch.int64).to(F64) / hd)
    freqs = torch.outer(torch.arange(T, dtype=F64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()  # [T, hd], broadcast over heads
    mask = torch.full((T, T), float("-inf"), dtype=F64).triu(1)
    x = w("model.embed_tokens.weight")[torch.tensor(tokens)]
    for l in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{l}."
        residual, x = x, hf_rms(x, w(p + "input_layernorm.weight"), eps)
        q = (x @ w(p + "self_attn.q_proj.weight").T).view(T, heads, hd).transpose(0, 1)
        k = (x @ w(p + "self_attn.k_proj.weight").T).view(T, kv_heads, hd).transpose(0, 1)
        v = (x @ w(p + "self_attn.v_proj.weight").T).view(T, kv_heads, hd).transpose(0, 1)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k, v = repeat_kv(k, heads // kv_heads), repeat_kv(v, heads // kv_heads)
        att = torch.softmax(q @ k.transpose(1, 2) * hd ** -0.5 + mask, dim=-1)
        out = (att @ v).transpose(0, 1).reshape(T, heads * hd)
        x = residual + out @ w(p + "self_attn.o_proj.weight").T
        residual, x = x, hf_rms(x, w(p + "post_attention_layernorm.weight"), eps)
        gate = torch.nn.functional.silu(x @ w(p + "mlp.gate_proj.weight").T)
        x = residual + (gate * (x @ w(p + "mlp.up_proj.weight").T)) @ w(p + "mlp.down_proj.weight").T
    x = hf_rms(x, w("model.norm.weight"), eps)
    lm_head = w("model.embed_tokens.weight") if cfg.get("tie_word_embeddings", False) else w("lm_head.weight")
    unused = sorted(n for n in weights if n not in used and not n.endswith("rotary_emb.inv_freq"))
    if unused:
        fail(f"the folder has tensors LlamaForCausalLM would not use: {unused}")
    return x @ lm_head.T


# ---------------------------------------------------------------------------------------------- the check

def check_config(hp, cfg):
    """config.json (with HF's defaults for omitted keys) must describe the .bin header's model."""
    got = dict(cfg)
    got.setdefault("num_key_value_heads", cfg.get("num_attention_heads"))
    got.setdefault("head_dim", cfg.get("hidden_size", 0) // max(cfg.get("num_attention_heads", 1), 1))
    got.setdefault("rope_theta", 10000.0)
    got.setdefault("tie_word_embeddings", False)
    got.setdefault("rms_norm_eps", 1e-6)
    expected = dict(architectures=["LlamaForCausalLM"], model_type="llama", hidden_act="silu",
                    hidden_size=hp["dim"], intermediate_size=hp["hidden_dim"], num_hidden_layers=hp["n_layers"],
                    num_attention_heads=hp["n_heads"], num_key_value_heads=hp["n_kv_heads"],
                    head_dim=hp["dim"] // hp["n_heads"], vocab_size=hp["vocab_size"],
                    max_position_embeddings=hp["seq_len"], tie_word_embeddings=hp["shared_classifier"])
    for key, want in expected.items():
        if got.get(key) != want:
            fail(f"config.json {key} = {got.get(key)!r}, the .bin header implies {want!r}")
    for key, want in (("rms_norm_eps", 1e-5), ("rope_theta", 10000.0)):
        if not isinstance(got.get(key), (int, float)) or not math.isclose(got[key], want, rel_tol=1e-6):
            fail(f"config.json {key} = {got.get(key)!r}, llama2.c uses {want!r}")


def check_stored_rope_tables(hp, w):
    """The .bin's freq_cis tables (float32, unused by run.c) must match the frequencies llama2c_rope uses."""
    hs = hp["dim"] // hp["n_heads"]
    freq = 1.0 / 10000.0 ** (torch.arange(0, hs, 2, dtype=F64) / hs)
    angle = torch.outer(torch.arange(hp["seq_len"], dtype=F64), freq)
    err = max((w["freq_cis_real"] - angle.cos()).abs().max().item(), (w["freq_cis_imag"] - angle.sin()).abs().max().item())
    if err > 1e-4:  # float32 angles up to seq_len rad: ~2e-6 expected
        fail(f".bin freq_cis tables differ from pos*10000^(-2i/head_size) by {err:.3g}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True, help="llama2.c checkpoint (legacy version-0 .bin)")
    parser.add_argument("--folder", required=True, help="Hugging Face folder converted from it")
    parser.add_argument("--tokens", type=int, default=40, help="random tokens after BOS (default 40)")
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()

    hp, w = read_llama2c(args.bin)
    cfg, hf = read_hf_folder(args.folder)
    check_config(hp, cfg)
    check_stored_rope_tables(hp, w)
    if args.tokens + 1 > hp["seq_len"]:
        fail(f"--tokens {args.tokens} exceeds seq_len {hp['seq_len']}")

    gen = torch.Generator().manual_seed(args.seed)
    tokens = [1] + torch.randint(0, hp["vocab_size"], (args.tokens,), generator=gen).tolist()
    with torch.no_grad():
        ref = llama2c_forward(hp, w, tokens)
        got = hf_forward(cfg, hf, tokens)
    if ref.shape != got.shape:
        fail(f"logits shape {tuple(got.shape)} from the folder, {tuple(ref.shape)} from the .bin")
    max_abs_diff, scale = (ref - got).abs().max().item(), ref.abs().max().item()
    if not max_abs_diff < 1e-6 * scale:
        fail(f"logits differ by up to {max_abs_diff:.6g} (limit 1e-6 x max|logits| = {1e-6 * scale:.6g}) "
             f"over {len(tokens)} tokens; argmax agrees at {(ref.argmax(-1) == got.argmax(-1)).sum().item()}/{len(tokens)} positions")
    print(json.dumps({"ok": True, "max_abs_diff": max_abs_diff, "max_abs_logit": scale, "tokens": tokens}))


if __name__ == "__main__":
    main()
