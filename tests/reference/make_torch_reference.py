#!/usr/bin/python3
"""Golden reference tensors for FedSpine.NET's model tests, computed with plain PyTorch.

A tiny LLaMA written directly against torch (no `transformers`), following Hugging Face
LlamaForCausalLM semantics exactly:
  * RMSNorm: x * rsqrt(mean(x^2) + eps) * w
  * RoPE in the HF "rotate_half" convention (first half / second half of each head, not interleaved)
  * grouped-query attention (query head h reads kv head h // (heads / kv_heads)), causal mask
  * SwiGLU MLP: down(silu(gate(x)) * up(x))
  * final RMSNorm, lm_head (or the embedding matrix when tie_word_embeddings)
  * loss: inputs [B, T] and targets [B, T] given separately, mean cross-entropy over the
    positions whose target is not -1 (torch ignore_index=-1)
  * LoRA: y = x W^T + (alpha / r) * (x A^T) B^T, A [r, in], B [out, r], base frozen

Everything is computed twice, in float32 (like the engine) and in float64; the script asserts
the two agree and that autograd matches central finite differences in float64, then stores the
float64 results (rounded to float32) as the golden values in one safetensors file per model.

Run:  /usr/bin/python3 tests/reference/make_torch_reference.py --out tests/FedSpine.Model.Tests/Reference
"""
import argparse
import json
import math
import os
import struct

import torch
import torch.nn.functional as F

CONFIGS = {
    "torch_llama_tiny": dict(
        hidden_size=48, intermediate_size=80, num_hidden_layers=2, num_attention_heads=6,
        num_key_value_heads=2, head_dim=8, vocab_size=67, max_position_embeddings=64,
        rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=False, seed=1234),
    "torch_llama_tiny_tied": dict(
        hidden_size=40, intermediate_size=56, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, head_dim=12, vocab_size=67, max_position_embeddings=64,
        rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=True, seed=5678),
}
BATCH, TOKENS = 2, 9
WEIGHT_STD = 0.2
LORA_RANKS = {"q_proj": 4, "k_proj": 2, "v_proj": 3, "o_proj": 4, "gate_proj": 2, "up_proj": 5, "down_proj": 3}
LORA_ALPHA = 8.0
ADAMW = dict(lr=1e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)
ATTN_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj")
MLP_MODULES = ("gate_proj", "up_proj", "down_proj")


# ----------------------------------------------------------------------------------------------
# parameters


def module_path(i, mod):
    return f"model.layers.{i}.{'self_attn' if mod in ATTN_MODULES else 'mlp'}.{mod}"


def linear_shapes(c):
    """(out, in) of every projection, by module name."""
    h, q, kv, f = c["hidden_size"], c["num_attention_heads"] * c["head_dim"], \
        c["num_key_value_heads"] * c["head_dim"], c["intermediate_size"]
    return {"q_proj": (q, h), "k_proj": (kv, h), "v_proj": (kv, h), "o_proj": (h, q),
            "gate_proj": (f, h), "up_proj": (f, h), "down_proj": (h, f)}


def make_base(c, g):
    """Base weights in HF names, float64, in a fixed generation order."""
    h, v = c["hidden_size"], c["vocab_size"]
    shapes = linear_shapes(c)
    normal = lambda *s: torch.randn(*s, generator=g, dtype=torch.float64) * WEIGHT_STD
    norm_w = lambda n: 1.0 + 0.1 * torch.randn(n, generator=g, dtype=torch.float64)
    p = {"model.embed_tokens.weight": normal(v, h)}
    for i in range(c["num_hidden_layers"]):
        p[f"model.layers.{i}.input_layernorm.weight"] = norm_w(h)
        for mod in ATTN_MODULES:
            p[module_path(i, mod) + ".weight"] = normal(*shapes[mod])
        p[f"model.layers.{i}.post_attention_layernorm.weight"] = norm_w(h)
        for mod in MLP_MODULES:
            p[module_path(i, mod) + ".weight"] = normal(*shapes[mod])
    p["model.norm.weight"] = norm_w(h)
    if not c["tie_word_embeddings"]:
        p["lm_head.weight"] = normal(v, h)
    return p


def make_lora(c, g):
    """{module path: (A [r, in], B [out, r])}, both random nonzero, float64."""
    shapes = linear_shapes(c)
    out = {}
    for i in range(c["num_hidden_layers"]):
        for mod in ATTN_MODULES + MLP_MODULES:
            o, n = shapes[mod]
            r = LORA_RANKS[mod]
            a = torch.randn(r, n, generator=g, dtype=torch.float64) * WEIGHT_STD
            b = torch.randn(o, r, generator=g, dtype=torch.float64) * WEIGHT_STD
            out[module_path(i, mod)] = (a, b)
    return out


# ----------------------------------------------------------------------------------------------
# model (functional, so the same code runs in float32 and float64)


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rotate_half(x):
    half = x.shape[-1] // 2
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat((-x2, x1), dim=-1)


def rope_cos_sin(c, T, dtype):
    hd = c["head_dim"]
    inv_freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    pos = torch.arange(T, dtype=torch.float64)
    freqs = torch.outer(pos, inv_freq)              # [T, hd/2]
    emb = torch.cat((freqs, freqs), dim=-1)         # [T, hd]
    # angles computed in float64 then cast (the engine may build its tables either way; the
    # difference is far below the test tolerance at these positions)
    return emb.cos().to(dtype), emb.sin().to(dtype)


def linear(x, p, lora, path):
    y = F.linear(x, p[path + ".weight"])
    if lora is not None and path in lora:
        a, b = lora[path]
        r = a.shape[0]
        y = y + (LORA_ALPHA / r) * F.linear(F.linear(x, a), b)
    return y


def forward(c, p, lora, input_ids):
    B, T = input_ids.shape
    H, KV, hd = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
    eps = c["rms_norm_eps"]
    emb = p["model.embed_tokens.weight"]
    dtype = emb.dtype
    cos, sin = rope_cos_sin(c, T, dtype)
    cos, sin = cos[None, :, None, :], sin[None, :, None, :]   # broadcast over [B, T, heads, hd]
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    x = emb[input_ids]                                        # [B, T, hidden]
    for i in range(c["num_hidden_layers"]):
        pre = f"model.layers.{i}."
        hn = rms_norm(x, p[pre + "input_layernorm.weight"], eps)
        q = linear(hn, p, lora, pre + "self_attn.q_proj").view(B, T, H, hd)
        k = linear(hn, p, lora, pre + "self_attn.k_proj").view(B, T, KV, hd)
        v = linear(hn, p, lora, pre + "self_attn.v_proj").view(B, T, KV, hd)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        group = H // KV
        kv_index = torch.arange(H) // group                   # query head h -> kv head h // group
        k = k[:, :, kv_index, :]                              # [B, T, H, hd]
        v = v[:, :, kv_index, :]
        q, k, v = (t.transpose(1, 2) for t in (q, k, v))      # [B, H, T, hd]
        scores = q @ k.transpose(-1, -2) / math.sqrt(hd)      # [B, H, T, T]
        scores = scores.masked_fill(~causal, float("-inf"))
        att = torch.softmax(scores, dim=-1) @ v               # [B, H, T, hd]
        att = att.transpose(1, 2).reshape(B, T, H * hd)
        x = x + linear(att, p, lora, pre + "self_attn.o_proj")
        hn = rms_norm(x, p[pre + "post_attention_layernorm.weight"], eps)
        mlp = F.silu(linear(hn, p, lora, pre + "mlp.gate_proj")) * linear(hn, p, lora, pre + "mlp.up_proj")
        x = x + linear(mlp, p, lora, pre + "mlp.down_proj")
    x = rms_norm(x, p["model.norm.weight"], eps)
    head = emb if c["tie_word_embeddings"] else p["lm_head.weight"]
    return F.linear(x, head)                                  # [B, T, vocab]


def loss_fn(logits, targets):
    V = logits.shape[-1]
    return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-1, reduction="mean")


# ----------------------------------------------------------------------------------------------
# runs


def run_full(c, base, input_ids, targets, dtype):
    p = {k: v.detach().to(dtype).requires_grad_(True) for k, v in base.items()}
    logits = forward(c, p, None, input_ids)
    loss = loss_fn(logits, targets)
    loss.backward()
    return logits.detach(), loss.detach(), {k: v.grad.detach() for k, v in p.items()}


def run_lora(c, base, lora, input_ids, targets, dtype):
    p = {k: v.detach().to(dtype) for k, v in base.items()}   # frozen
    ad = {k: (a.detach().to(dtype).requires_grad_(True), b.detach().to(dtype).requires_grad_(True))
          for k, (a, b) in lora.items()}
    logits = forward(c, p, ad, input_ids)
    loss = loss_fn(logits, targets)
    loss.backward()
    for v in p.values():
        assert v.grad is None
    grads = {k: (a.grad.detach(), b.grad.detach()) for k, (a, b) in ad.items()}
    return logits.detach(), loss.detach(), grads


def run_adamw(base, grads, names):
    """torch.optim.AdamW applied twice with the same gradients, float64."""
    params = [base[n].detach().clone().requires_grad_(True) for n in names]
    opt = torch.optim.AdamW(params, **ADAMW)
    for _ in range(2):
        for prm, n in zip(params, names):
            prm.grad = grads[n].detach().clone()
        opt.step()
    out = {n: prm.detach().clone() for n, prm in zip(names, params)}
    # independent closed form of the same two steps (decoupled decay first, then the Adam update)
    lr, (b1, b2), eps, wd = ADAMW["lr"], ADAMW["betas"], ADAMW["eps"], ADAMW["weight_decay"]
    for n in names:
        w, g = base[n].clone(), grads[n]
        m = torch.zeros_like(w)
        v = torch.zeros_like(w)
        for t in (1, 2):
            w = w * (1 - lr * wd)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            mhat, vhat = m / (1 - b1 ** t), v / (1 - b2 ** t)
            w = w - lr * mhat / (vhat.sqrt() + eps)
        assert torch.allclose(w, out[n], rtol=1e-12, atol=1e-14), f"AdamW closed form mismatch on {n}"
    return out


# ----------------------------------------------------------------------------------------------
# checks


def rel_err(a32, b64):
    a = a32.to(torch.float64)
    return ((a - b64).abs().max() / b64.abs().max().clamp_min(1e-30)).item()


def check_agree(what, a32, b64, tol):
    e = rel_err(a32, b64)
    assert e < tol, f"float32 vs float64 disagree on {what}: max|diff|/max|ref| = {e:.3g} (tol {tol})"
    return e


def finite_difference_check(c, base, lora, input_ids, targets, full_grads, lora_grads, g):
    """Central differences in float64 on a few random entries of several tensors."""
    h = 1e-6

    def full_loss(p):
        return loss_fn(forward(c, p, None, input_ids), targets).item()

    def lora_loss(ad):
        return loss_fn(forward(c, base, ad, input_ids), targets).item()

    names = ["model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
             "model.layers.0.self_attn.k_proj.weight", "model.layers.1.self_attn.v_proj.weight",
             "model.layers.1.mlp.down_proj.weight", "model.layers.0.input_layernorm.weight",
             "model.norm.weight"]
    if not c["tie_word_embeddings"]:
        names.append("lm_head.weight")
    checked = 0
    for n in names:
        for _ in range(3):
            idx = tuple(int(torch.randint(s, (1,), generator=g)) for s in base[n].shape)
            pp = dict(base)
            w = base[n].clone(); w[idx] += h; pp[n] = w
            lp = full_loss(pp)
            w = base[n].clone(); w[idx] -= h; pp[n] = w
            lm = full_loss(pp)
            fd, ag = (lp - lm) / (2 * h), full_grads[n][idx].item()
            assert abs(fd - ag) <= 1e-6 + 1e-5 * abs(ag), f"finite difference {n}{idx}: fd {fd} autograd {ag}"
            checked += 1
    for path in ["model.layers.0.self_attn.q_proj", "model.layers.1.self_attn.o_proj",
                 "model.layers.0.mlp.up_proj", "model.layers.1.mlp.gate_proj"]:
        for which in (0, 1):
            for _ in range(2):
                t = lora[path][which]
                idx = tuple(int(torch.randint(s, (1,), generator=g)) for s in t.shape)
                vals = []
                for sgn in (1, -1):
                    ad = dict(lora)
                    w = t.clone(); w[idx] += sgn * h
                    ad[path] = (w, lora[path][1]) if which == 0 else (lora[path][0], w)
                    vals.append(lora_loss(ad))
                fd, ag = (vals[0] - vals[1]) / (2 * h), lora_grads[path][which][idx].item()
                assert abs(fd - ag) <= 1e-6 + 1e-5 * abs(ag), \
                    f"finite difference lora {'AB'[which]} {path}{idx}: fd {fd} autograd {ag}"
                checked += 1
    return checked


# ----------------------------------------------------------------------------------------------
# safetensors writer (format: u64 LE header length, JSON header, raw little-endian data)


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for name, t in tensors.items():
        t = t.detach().to(torch.float32).contiguous()
        data = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * ((8 - len(hb) % 8) % 8)            # pad so the data section starts 8-aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__")
    data = raw[8 + n:]
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[b:e]), dtype=torch.float32).reshape(info["shape"])
    return out, meta


# ----------------------------------------------------------------------------------------------


def build(name, c):
    g = torch.Generator().manual_seed(c["seed"])
    base = make_base(c, g)
    lora = make_lora(c, g)
    V = c["vocab_size"]
    seq = torch.randint(V, (BATCH, TOKENS + 1), generator=g)
    input_ids, targets = seq[:, :TOKENS].clone(), seq[:, 1:].clone()
    targets[0, 2] = -1          # a few ignored positions, including the last one of a row
    targets[1, 5] = -1
    targets[1, TOKENS - 1] = -1

    f64 = run_full(c, base, input_ids, targets, torch.float64)
    f32 = run_full(c, base, input_ids, targets, torch.float32)
    l64 = run_lora(c, base, lora, input_ids, targets, torch.float64)
    l32 = run_lora(c, base, lora, input_ids, targets, torch.float32)

    # float32 (engine precision) must match the float64 golden values
    worst = 0.0
    worst = max(worst, check_agree("full.logits", f32[0], f64[0], 1e-5))
    worst = max(worst, check_agree("full.loss", f32[1], f64[1], 1e-5))
    for k in base:
        worst = max(worst, check_agree("full.grad." + k, f32[2][k], f64[2][k], 2e-5))
    worst = max(worst, check_agree("lora.logits", l32[0], l64[0], 1e-5))
    worst = max(worst, check_agree("lora.loss", l32[1], l64[1], 1e-5))
    for k in lora:
        for j in (0, 1):
            worst = max(worst, check_agree(f"lora.grad.{'AB'[j]}.{k}", l32[2][k][j], l64[2][k][j], 2e-5))

    # autograd vs finite differences (float64)
    fd_checked = finite_difference_check(c, base, lora, input_ids, targets, f64[2], l64[2], g)

    # sanity: untied lm_head gradient is disjoint from embed; LoRA with B = 0 reproduces the base model
    zero_b = {k: (a, torch.zeros_like(b)) for k, (a, b) in lora.items()}
    assert torch.allclose(forward(c, base, zero_b, input_ids), f64[0], rtol=0, atol=1e-12)

    adamw_names = ["model.layers.0.self_attn.q_proj.weight", "model.layers.1.mlp.down_proj.weight",
                   "model.norm.weight"]
    adam = run_adamw(base, f64[2], adamw_names)

    tensors = {}
    tensors.update(base)
    tensors["input_ids"] = input_ids.to(torch.float32)
    tensors["targets"] = targets.to(torch.float32)
    tensors["full.logits"] = f64[0]
    tensors["full.loss"] = f64[1].reshape(1)
    for k in base:
        tensors["full.grad." + k] = f64[2][k]
    for k, (a, b) in lora.items():
        tensors["lora.A." + k] = a
        tensors["lora.B." + k] = b
    tensors["lora.logits"] = l64[0]
    tensors["lora.loss"] = l64[1].reshape(1)
    for k, (ga, gb) in l64[2].items():
        tensors["lora.grad.A." + k] = ga
        tensors["lora.grad.B." + k] = gb
    for k, w in adam.items():
        tensors["adamw.step2." + k] = w

    hf_keys = ["hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
               "num_key_value_heads", "head_dim", "vocab_size", "max_position_embeddings",
               "rms_norm_eps", "rope_theta", "tie_word_embeddings"]
    config = {k: c[k] for k in hf_keys}
    config.update(model_type="llama", architectures=["LlamaForCausalLM"], hidden_act="silu",
                  attention_bias=False, mlp_bias=False, torch_dtype="float32")
    lora_meta = dict(LORA_RANKS)
    lora_meta["alpha"] = int(LORA_ALPHA)  # 8 (written as an integer so any JSON number type reads it)
    metadata = {
        "config": json.dumps(config),
        "lora": json.dumps(lora_meta),
        "adamw_names": json.dumps(adamw_names),
        "adamw": json.dumps({"lr": ADAMW["lr"], "betas": list(ADAMW["betas"]), "eps": ADAMW["eps"],
                             "weight_decay": ADAMW["weight_decay"], "steps": 2,
                             "note": "torch.optim.AdamW, same full.grad applied twice, from the base weights"}),
        "conventions": json.dumps({
            "rope": "rotate_half (HF), inv_freq = theta^(-arange(0,hd,2)/hd), cos/sin concatenated twice, positions 0..T-1",
            "loss": "inputs and targets given separately; mean cross-entropy over positions with target != -1",
            "ignore_index": -1,
            "lora": "y = x W^T + (alpha/r) (x A^T) B^T, A [r,in], B [out,r], base frozen",
            "golden": "computed in float64, stored rounded to float32",
            "batch": BATCH, "tokens": TOKENS, "weight_std": WEIGHT_STD, "seed": c["seed"]}),
        "torch_version": torch.__version__,
        "generator": "tests/reference/make_torch_reference.py",
    }
    return tensors, metadata, worst, fd_checked


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="tests/FedSpine.Model.Tests/Reference")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)      # reproducible reduction order
    for name, c in CONFIGS.items():
        tensors, metadata, worst, fd_checked = build(name, c)
        path = os.path.join(args.out, name + ".safetensors")
        write_safetensors(path, tensors, metadata)
        back, meta = read_safetensors(path)
        assert meta == metadata and list(back) == list(tensors)
        for k, t in tensors.items():
            assert torch.equal(back[k], t.to(torch.float32)), k
        print(f"{path}: {len(tensors)} tensors, {os.path.getsize(path)} bytes, "
              f"loss full {float(tensors['full.loss']):.6f} lora {float(tensors['lora.loss']):.6f}, "
              f"worst f32/f64 rel {worst:.2e}, {fd_checked} finite-difference checks passed")


if __name__ == "__main__":
    main()
