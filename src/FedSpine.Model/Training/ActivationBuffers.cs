// Everything the training forward pass keeps for backward, plus backward scratch, for one (batch, tokens) size.
// Planned in one arena so the activation memory of a configuration is known before it runs; the arena's block comes
// from the thread's ActivationBlockPool (zeroed either way) and goes back there on Release.
using FedSpine.Model.Lora;
using FedSpine.Tensors;

namespace FedSpine.Model.Training;

internal sealed class LayerActivations
{
    public required Tensor Norm1 { get; init; }   // [rows, hidden] attention-norm output
    public required Tensor Rstd1 { get; init; }   // [rows]
    public required Tensor Q { get; init; }       // [rows, heads*headDim] after RoPE
    public required Tensor K { get; init; }       // [rows, kvHeads*headDim] after RoPE
    public required Tensor V { get; init; }       // [rows, kvHeads*headDim]
    public required Tensor Probs { get; init; }   // [batch, heads, tokens, tokens]
    public required Tensor Attn { get; init; }    // [rows, heads*headDim] attention output (o_proj input)
    public required Tensor Mid { get; init; }     // [rows, hidden] residual stream after attention
    public required Tensor Norm2 { get; init; }   // [rows, hidden]
    public required Tensor Rstd2 { get; init; }   // [rows]
    public required Tensor Gate { get; init; }    // [rows, ffn] pre-activation
    public required Tensor Up { get; init; }      // [rows, ffn]
    public required Tensor H { get; init; }       // [rows, ffn] silu(gate)·up (down_proj input)
    public required Tensor?[] LoraXa { get; init; } // per target: [rows, rank] = x·Aᵀ
}

internal sealed class ActivationBuffers
{
    private float[]? _block;   // the pooled block every buffer is a view of; null when unpooled or released

    public ActivationBuffers(LlamaWeights model, LoraWeights? lora, int batch, int tokens, bool keepLogits)
    {
        Batch = batch;
        Tokens = tokens;
        var arena = Plan(model.Config, model.LayerShapes, (l, t) => lora?[l, t]?.Rank ?? 0, batch, tokens, keepLogits);
        Bytes = arena.TotalBytes;
        _block = arena.TotalFloats <= TensorArena.MaxBlockFloats ? ActivationBlockPool.Rent(arena.TotalFloats) : null;
        var t2 = _block is null ? arena.Allocate() : arena.Carve(_block);
        Layers = Enumerable.Range(0, model.Layers.Count).Select(l => new LayerActivations
        {
            Norm1 = t2[$"{l}.norm1"], Rstd1 = t2[$"{l}.rstd1"], Q = t2[$"{l}.q"], K = t2[$"{l}.k"], V = t2[$"{l}.v"],
            Probs = t2[$"{l}.probs"], Attn = t2[$"{l}.attn"], Mid = t2[$"{l}.mid"], Norm2 = t2[$"{l}.norm2"], Rstd2 = t2[$"{l}.rstd2"],
            Gate = t2[$"{l}.gate"], Up = t2[$"{l}.up"], H = t2[$"{l}.h"],
            LoraXa = LoraTargets.All.Select(t => t2.GetValueOrDefault($"{l}.xa.{t}")).ToArray(),
        }).ToArray();
        Stream = Enumerable.Range(0, model.Layers.Count + 1).Select(l => t2[$"stream.{l}"]).ToArray();
        NormF = t2["normF"];
        RstdF = t2["rstdF"];
        Logits = t2.GetValueOrDefault("logits");
        DRes = t2["dRes"];
        DNorm = t2["dNorm"];
        DQ = t2["dQ"];
        DK = t2["dK"];
        DV = t2["dV"];
        DAttn = t2["dAttn"];
        DGate = t2["dGate"];
        DUp = t2["dUp"];
        DH = t2["dH"];
        DLora = t2["dLora"];
    }

    /// <summary>The buffer plan for per-layer shapes and LoRA ranks (rankOf = 0: no adapter there), without allocating.</summary>
    public static TensorArena Plan(LlamaConfig c, IReadOnlyList<LayerShape> shapes, Func<int, LoraTarget, int> rankOf, int batch, int tokens, bool keepLogits)
    {
        int rows = batch * tokens, d = c.HiddenSize, hd = c.HeadDim;
        var arena = new TensorArena();
        int maxQ = 0, maxKv = 0, maxF = 0, maxR = 1;
        for (int l = 0; l < shapes.Count; l++)
        {
            var s = shapes[l];
            string p = $"{l}.";
            arena.Add(p + "norm1", rows, d).Add(p + "rstd1", rows)
                .Add(p + "q", rows, s.Heads * hd).Add(p + "k", rows, s.KvHeads * hd).Add(p + "v", rows, s.KvHeads * hd)
                .Add(p + "probs", batch, s.Heads, tokens, tokens).Add(p + "attn", rows, s.Heads * hd).Add(p + "mid", rows, d)
                .Add(p + "norm2", rows, d).Add(p + "rstd2", rows)
                .Add(p + "gate", rows, s.FfnChannels).Add(p + "up", rows, s.FfnChannels).Add(p + "h", rows, s.FfnChannels);
            foreach (var t in LoraTargets.All)
            {
                int rank = rankOf(l, t);
                if (rank > 0)
                {
                    arena.Add(p + "xa." + t, rows, rank);
                    maxR = Math.Max(maxR, rank);
                }
            }
            maxQ = Math.Max(maxQ, s.Heads * hd);
            maxKv = Math.Max(maxKv, s.KvHeads * hd);
            maxF = Math.Max(maxF, s.FfnChannels);
        }
        for (int l = 0; l <= shapes.Count; l++)
        {
            arena.Add($"stream.{l}", rows, d);
        }
        arena.Add("normF", rows, d).Add("rstdF", rows);
        if (keepLogits)
        {
            arena.Add("logits", rows, c.VocabSize);
        }
        arena.Add("dRes", rows, d).Add("dNorm", rows, d).Add("dQ", rows, maxQ).Add("dK", rows, maxKv).Add("dV", rows, maxKv)
            .Add("dAttn", rows, maxQ).Add("dGate", rows, maxF).Add("dUp", rows, maxF).Add("dH", rows, maxF).Add("dLora", rows, maxR);
        return arena;
    }

    /// <summary>Returns the block to this thread's pool; no buffer may be used afterwards.</summary>
    public void Release()
    {
        if (_block is not null)
        {
            ActivationBlockPool.Return(_block);
            _block = null;
        }
    }

    public int Batch { get; }
    public int Tokens { get; }
    public int Rows => Batch * Tokens;
    public long Bytes { get; }
    public LayerActivations[] Layers { get; }
    public Tensor[] Stream { get; }   // [layers+1] × [rows, hidden]: residual stream entering each layer, last = output
    public Tensor NormF { get; }      // [rows, hidden] final-norm output
    public Tensor RstdF { get; }      // [rows]
    public Tensor? Logits { get; }    // [rows, vocab]; overwritten by dLogits in backward
    public Tensor DRes { get; }       // [rows, hidden] gradient of the residual stream
    public Tensor DNorm { get; }      // [rows, hidden]
    public Tensor DQ { get; }         // [rows, maxQ]
    public Tensor DK { get; }         // [rows, maxKv]
    public Tensor DV { get; }         // [rows, maxKv]
    public Tensor DAttn { get; }      // [rows, maxQ]
    public Tensor DGate { get; }      // [rows, maxFfn]
    public Tensor DUp { get; }        // [rows, maxFfn]
    public Tensor DH { get; }         // [rows, maxFfn]
    public Tensor DLora { get; }      // [rows, maxRank]
}
