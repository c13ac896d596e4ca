// What an importance estimator may read after one forward/backward: the model, its adapters, and the gradient sinks
// the training graph filled (LoRA factor gradients and/or base-weight gradients), all in the model's current shapes.
using FedSpine.Model;
using FedSpine.Model.Lora;

namespace FedSpine.Pruning;

public sealed record ImportanceContext(LlamaWeights Model, LoraWeights? Lora = null, LoraWeights? LoraGrads = null, LlamaWeights? BaseGrads = null);
