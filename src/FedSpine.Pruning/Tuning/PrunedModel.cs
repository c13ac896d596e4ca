// A model pruned in one call: the smaller weights, its adapters sliced alike (if any), the mask in the original
// model's coordinates (to store, send or scatter back), and the sparsity reached.
using FedSpine.Model;
using FedSpine.Model.Lora;

namespace FedSpine.Pruning;

public sealed record PrunedModel(LlamaWeights Weights, LoraWeights? Lora, PruningMask Mask, SparsityReport Sparsity);
