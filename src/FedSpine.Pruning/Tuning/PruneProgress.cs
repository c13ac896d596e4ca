// What a prune-and-tune run reports after every step, for progress bars and logs: the step, its training loss, the
// schedule's ratio, whether the step pruned, and the sparsity reached so far.
namespace FedSpine.Pruning;

public sealed record PruneProgress(int Step, int TotalSteps, float Loss, double Ratio, bool Pruned, SparsityReport Sparsity);
