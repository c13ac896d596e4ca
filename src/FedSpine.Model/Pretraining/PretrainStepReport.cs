// What the pretrainer reports after each optimizer step (for progress bars and the training log).
// TokensPerSecond counts training time of this session only (validation and checkpoint writing excluded).
namespace FedSpine.Model.Pretraining;

/// <param name="ValidationLoss">Mean held-out cross-entropy when this step measured it, else null.</param>
/// <param name="CheckpointWritten">True when a checkpoint was written after this step.</param>
public sealed record PretrainStepReport(int Step, float Loss, float LearningRate, double GradientNorm, double TokensPerSecond,
    double? ValidationLoss, bool CheckpointWritten)
{
    public double? ValidationPerplexity => ValidationLoss is { } l ? Math.Exp(l) : null;
}
