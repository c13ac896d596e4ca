// Maps arms to and from the normalised unit square of an ArmSpace: x = step scaled to [0,1], y = the rank's equal-width
// bin ([i/n, (i+1)/n) for the i-th of n allowed ranks; a rank maps to its bin's centre; a degenerate side maps to 0), so
// a uniform point plays every rank equally often. NearestGridIndex finds a grid arm for any arm.
namespace FedSpine.Federated.Bandits;

internal sealed class ArmCoordinates
{
    private readonly ArmSpace _space;
    private readonly double[] _logRanks;

    public ArmCoordinates(ArmSpace space)
    {
        _space = space;
        _logRanks = space.Ranks.Select(r => Math.Log2(r)).ToArray();
    }

    public bool StepDegenerate => _space.MaxStep == _space.MinStep;

    public bool RankDegenerate => _logRanks.Length == 1;

    public double X(double step) =>
        StepDegenerate ? 0 : Math.Clamp((step - _space.MinStep) / (_space.MaxStep - _space.MinStep), 0, 1);

    /// <summary>The centre of the bin of the allowed rank nearest to rank in log2 (ties to the lower rank).</summary>
    public double Y(int rank)
    {
        if (RankDegenerate)
        {
            return 0;
        }
        double logRank = Math.Log2(rank);
        int best = 0;
        for (int i = 1; i < _logRanks.Length; i++)
        {
            if (Math.Abs(_logRanks[i] - logRank) < Math.Abs(_logRanks[best] - logRank))
            {
                best = i;
            }
        }
        return (best + 0.5) / _logRanks.Length;
    }

    public double Step(double x) =>
        StepDegenerate ? _space.MinStep : Math.Clamp(_space.MinStep + x * (_space.MaxStep - _space.MinStep), _space.MinStep, _space.MaxStep);

    /// <summary>Index into space.Ranks of the rank whose bin holds normalised y.</summary>
    public int RankIndex(double y) => RankDegenerate ? 0 : Math.Clamp((int)Math.Floor(y * _logRanks.Length), 0, _logRanks.Length - 1);

    /// <summary>The grid index of arm when it is on the grid, else of the grid arm nearest in normalised coordinates.</summary>
    public int NearestGridIndex(IReadOnlyList<Arm> grid, Arm arm)
    {
        int best = -1;
        double bestDistance = double.PositiveInfinity;
        double x = X(arm.PruneStep), y = Y(arm.Rank);
        for (int i = 0; i < grid.Count; i++)
        {
            if (grid[i] == arm)
            {
                return i;
            }
            double dx = X(grid[i].PruneStep) - x, dy = Y(grid[i].Rank) - y;
            double distance = dx * dx + dy * dy;
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = i;
            }
        }
        return best;
    }
}
