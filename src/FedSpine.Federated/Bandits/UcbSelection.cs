// The UCB choice over a grid shared by UCB1 and sliding-window UCB: an unplayed arm that fits first (grid order), else
// the fitting arm with the largest mean + c·sqrt(2 ln t / n); null when no arm fits.
namespace FedSpine.Federated.Bandits;

internal static class UcbSelection
{
    /// <param name="counts">[arms] plays per grid arm.</param>
    /// <param name="sums">[arms] reward sums per grid arm.</param>
    public static Arm? Select(IReadOnlyList<Arm> grid, ReadOnlySpan<long> counts, ReadOnlySpan<double> sums, double logT, double exploration,
        Func<Arm, bool> fits)
    {
        int best = -1;
        double bestIndex = double.NegativeInfinity;
        for (int i = 0; i < grid.Count; i++)
        {
            if (!fits(grid[i]))
            {
                continue;
            }
            if (counts[i] == 0)
            {
                return grid[i];
            }
            double index = sums[i] / counts[i] + exploration * Math.Sqrt(2 * logT / counts[i]);
            if (index > bestIndex)
            {
                bestIndex = index;
                best = i;
            }
        }
        return best < 0 ? null : grid[best];
    }
}
