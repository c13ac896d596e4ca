// One configuration a device can play in a round: the pruning step (sparsity added this round, toward S*) and the
// LoRA rank. Arms are plain values so bandits, logs and checkpoints can share them.
namespace FedSpine.Federated.Bandits;

public readonly record struct Arm(double PruneStep, int Rank);
