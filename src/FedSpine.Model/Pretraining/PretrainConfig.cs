// Everything that defines a pretraining run: model shape, batch and schedule, optimizer, intervals and seed.
// Stored inside every checkpoint; a resume must ask for the same config, so the continuation is exact.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FedSpine.Model.Pretraining;

public sealed record PretrainConfig
{
    [JsonPropertyName("hidden")] public int Hidden { get; init; } = 256;
    [JsonPropertyName("layers")] public int Layers { get; init; } = 6;
    [JsonPropertyName("heads")] public int Heads { get; init; } = 8;
    [JsonPropertyName("kv_heads")] public int KvHeads { get; init; } = 4;
    [JsonPropertyName("ffn")] public int Ffn { get; init; } = 688;
    [JsonPropertyName("vocab")] public int Vocab { get; init; }
    [JsonPropertyName("context")] public int Context { get; init; } = 256;
    [JsonPropertyName("tie_embeddings")] public bool TieEmbeddings { get; init; } = true;
    [JsonPropertyName("bos_token_id")] public int BosTokenId { get; init; } = 1;
    [JsonPropertyName("eos_token_id")] public int EosTokenId { get; init; } = 2;

    [JsonPropertyName("batch")] public int Batch { get; init; } = 16;
    [JsonPropertyName("seq_len")] public int SeqLen { get; init; } = 128;
    [JsonPropertyName("steps")] public int Steps { get; init; } = 2000;
    [JsonPropertyName("lr")] public float LearningRate { get; init; } = 3e-3f;
    [JsonPropertyName("min_lr")] public float MinLearningRate { get; init; } = 3e-4f;
    [JsonPropertyName("warmup")] public int WarmupSteps { get; init; } = 100;
    [JsonPropertyName("beta1")] public float Beta1 { get; init; } = 0.9f;
    [JsonPropertyName("beta2")] public float Beta2 { get; init; } = 0.95f;
    [JsonPropertyName("weight_decay")] public float WeightDecay { get; init; } = 0.1f;
    [JsonPropertyName("clip_norm")] public float ClipNorm { get; init; } = 1f;
    [JsonPropertyName("init_std")] public float InitStd { get; init; } = 0.02f;

    [JsonPropertyName("eval_every")] public int EvalEvery { get; init; } = 200;
    [JsonPropertyName("checkpoint_every")] public int CheckpointEvery { get; init; } = 200;
    [JsonPropertyName("seed")] public ulong Seed { get; init; } = 1;

    /// <summary>Tokens consumed by one optimizer step: batch × seq_len.</summary>
    [JsonIgnore] public int TokensPerStep => Batch * SeqLen;

    /// <summary>The HF config of the model this run trains (head_dim = hidden / heads).</summary>
    public LlamaConfig ModelConfig() => ModelPresets.Make(Hidden, Layers, Heads, KvHeads, Ffn, Vocab, Context, TieEmbeddings)
        with { BosTokenId = BosTokenId, EosTokenId = EosTokenId };

    /// <summary>This config with the model shape of an existing model (pretraining continued from it).</summary>
    public PretrainConfig WithShapeOf(LlamaConfig model) => this with
    {
        Hidden = model.HiddenSize, Layers = model.NumHiddenLayers, Heads = model.NumAttentionHeads, KvHeads = model.NumKeyValueHeads,
        Ffn = model.IntermediateSize, Vocab = model.VocabSize, Context = model.MaxPositionEmbeddings, TieEmbeddings = model.TieWordEmbeddings,
        BosTokenId = model.BosTokenId, EosTokenId = model.EosTokenId,
    };

    /// <summary>Throws ArgumentException naming the first setting that cannot work.</summary>
    public void Validate()
    {
        static void Require(bool ok, string what)
        {
            if (!ok)
            {
                throw new ArgumentException($"pretraining config: {what}");
            }
        }
        Require(Heads > 0 && Hidden > 0 && Hidden % Heads == 0, $"hidden ({Hidden}) must be a positive multiple of heads ({Heads})");
        Require(Hidden / Heads % 2 == 0, $"head size hidden/heads = {Hidden / Heads} must be even (RoPE)");
        Require(Batch >= 1 && SeqLen >= 1, $"batch ({Batch}) and seq_len ({SeqLen}) must be at least 1");
        Require(SeqLen <= Context, $"seq_len ({SeqLen}) must not exceed context ({Context})");
        Require(Steps >= 1, $"steps must be at least 1 (got {Steps})");
        Require(WarmupSteps >= 0 && WarmupSteps <= Steps, $"warmup ({WarmupSteps}) must lie in [0, steps = {Steps}]");
        Require(LearningRate > 0 && MinLearningRate >= 0 && MinLearningRate <= LearningRate,
            $"need 0 <= min_lr ({MinLearningRate}) <= lr ({LearningRate}) and lr > 0");
        Require(EvalEvery >= 1 && CheckpointEvery >= 1, $"eval_every ({EvalEvery}) and checkpoint_every ({CheckpointEvery}) must be at least 1");
        Require(ClipNorm >= 0 && WeightDecay >= 0 && InitStd > 0, "clip_norm and weight_decay must be non-negative, init_std positive");
        ModelConfig().Validate("pretraining config");
    }

    /// <summary>"name: a → b" for every field where other differs (empty when equal).</summary>
    public IReadOnlyList<string> Differences(PretrainConfig other)
    {
        var mine = JsonSerializer.SerializeToElement(this);
        var theirs = JsonSerializer.SerializeToElement(other);
        return mine.EnumerateObject()
            .Select(p => (p.Name, A: p.Value.GetRawText(), B: theirs.GetProperty(p.Name).GetRawText()))
            .Where(p => p.A != p.B)
            .Select(p => $"{p.Name}: {p.A} → {p.B}")
            .ToList();
    }
}
