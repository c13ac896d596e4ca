// The scalar state of a pretraining run that a checkpoint stores beside its tensors (as JSON in the safetensors
// header): step, RNG words, validation history, tokens seen, the run and model configs, data and tensor checksums.
using System.Text.Json.Serialization;

namespace FedSpine.Model.Pretraining;

internal sealed record PretrainState
{
    public const string CurrentFormat = "fedspine-pretrain-checkpoint/1";

    [JsonPropertyName("format")] public string Format { get; init; } = CurrentFormat;
    [JsonPropertyName("step")] public int Step { get; init; }
    [JsonPropertyName("rng_state")] public ulong[] RngState { get; init; } = [];
    [JsonPropertyName("best_val_loss")] public double? BestValidationLoss { get; init; }
    [JsonPropertyName("last_val_loss")] public double? LastValidationLoss { get; init; }
    [JsonPropertyName("tokens_seen")] public long TokensSeen { get; init; }
    [JsonPropertyName("train_seconds")] public double TrainSeconds { get; init; }
    [JsonPropertyName("train_tokens")] public int TrainTokens { get; init; }
    [JsonPropertyName("train_checksum")] public ulong TrainChecksum { get; init; }
    [JsonPropertyName("tensor_checksum")] public ulong TensorChecksum { get; init; }
    [JsonPropertyName("config")] public required PretrainConfig Config { get; init; }
    [JsonPropertyName("model_config")] public required LlamaConfig ModelConfig { get; init; }
}
