// The box every bandit of a run searches: pruning step in [MinStep, MaxStep] and a rank from an allowed ascending set;
// grid bandits use GridSteps evenly spaced steps (both ends included) times every rank.
namespace FedSpine.Federated.Bandits;

public sealed record ArmSpace(double MinStep, double MaxStep, IReadOnlyList<int> Ranks, int GridSteps = 5)
{
    public void Validate()
    {
        if (!(MinStep >= 0 && MaxStep >= MinStep && MaxStep < 1))
        {
            throw new ArgumentException($"pruning steps must satisfy 0 <= min <= max < 1 (got {MinStep}..{MaxStep})");
        }
        if (Ranks.Count == 0 || Ranks.Any(r => r < 1) || Ranks.Zip(Ranks.Skip(1)).Any(p => p.Second <= p.First))
        {
            throw new ArgumentException($"ranks must be positive and strictly ascending (got {string.Join(",", Ranks)})");
        }
        if (GridSteps < 1 || (GridSteps == 1 && MaxStep != MinStep))
        {
            throw new ArgumentException($"grid steps must be at least 2 for a step range (got {GridSteps})");
        }
    }

    /// <summary>The grid: GridSteps pruning steps from MinStep to MaxStep, each with every rank (step-major order).</summary>
    public IReadOnlyList<Arm> Grid()
    {
        var arms = new List<Arm>();
        for (int i = 0; i < GridSteps; i++)
        {
            double p = GridSteps == 1 ? MinStep : MinStep + (MaxStep - MinStep) * i / (GridSteps - 1);
            foreach (int r in Ranks)
            {
                arms.Add(new Arm(p, r));
            }
        }
        return arms;
    }
}
