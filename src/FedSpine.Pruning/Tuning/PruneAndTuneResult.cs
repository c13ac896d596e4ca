// What a prune-and-tune run hands back: the pruned model and its adapters, the mask in original coordinates, the
// importance state (to continue or to prune further), the sparsity reached, and every step's training loss.
using FedSpine.Model;
using FedSpine.Model.Lora;

namespace FedSpine.Pruning;

public sealed record PruneAndTuneResult(LlamaWeights Model, LoraWeights Lora, PruningMask Mask, ImportanceTracker Importance,
    SparsityReport Sparsity, IReadOnlyList<float> Losses);
