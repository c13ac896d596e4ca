// One interface for every importance criterion: from a model (and the gradients of one step) to per-unit scores,
// already L2-normalised per module and summed within each coupled group (heads; FFN channels).
using FedSpine.Model;
using FedSpine.Model.Lora;

namespace FedSpine.Pruning;

public interface IImportanceEstimator
{
    /// <summary>Short name: "lora", "taylor" or "magnitude".</summary>
    string Name { get; }

    /// <summary>The training graph must fill LoRA factor gradients.</summary>
    bool NeedsLoraGradients { get; }

    /// <summary>The training graph must fill base-weight gradients (memory: a full copy of the model).</summary>
    bool NeedsBaseGradients { get; }

    /// <summary>Throws ArgumentException, before any work, when this criterion cannot score every layer's heads and
    /// channels of <paramref name="model"/> with these adapters.</summary>
    void CheckCompatible(LlamaWeights model, LoraWeights? lora);

    /// <summary>Scores of every current unit of context.Model.</summary>
    UnitScores Estimate(ImportanceContext context);
}
