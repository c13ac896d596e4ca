// S-UCB over the few plays a federated run gives each device (one per round): every rank gets an equal share of the box,
// and with a run's default settings a rank preference as large as the 20-device runs showed is picked up within 12 plays.
using FedSpine.Federated.Bandits;
using FedSpine.Federated.Runs;
using FedSpine.Tensors;

namespace FedSpine.Federated.Tests.Bandits;

public class ShortHorizonTests
{
    private static readonly ArmSpace Space = new(0.0, 0.15, [2, 4, 8, 16], 4);

    [Fact]
    public void Uniform_points_fall_in_every_rank_bin_equally_and_a_rank_maps_into_its_own_bin()
    {
        var coordinates = new ArmCoordinates(Space);
        var counts = new int[Space.Ranks.Count];
        for (int i = 0; i < 4000; i++)
        {
            counts[coordinates.RankIndex((i + 0.5) / 4000)]++;
        }
        Assert.All(counts, c => Assert.Equal(1000, c));
        for (int i = 0; i < Space.Ranks.Count; i++)
        {
            Assert.Equal(i, coordinates.RankIndex(coordinates.Y(Space.Ranks[i])));
        }
        Assert.Equal(Space.Ranks.Count - 1, coordinates.RankIndex(1.0));
        Assert.Equal(1, coordinates.RankIndex(coordinates.Y(5)));   // 5 is nearest to 4 in log2
    }

    // Mean reward by rank index as measured per device class in the 20-device spam run (runs/spam-20, fedspine, all
    // rounds): the fast class's reward rises with rank, the slow class's is flat; the per-play noise there was 0.12.
    private static readonly double[] Rising = [0.37, 0.51, 0.59, 0.67];
    private static readonly double[] Flat = [0.34, 0.27, 0.35, 0.30];

    [Fact]
    public void With_run_defaults_a_rising_reward_draws_larger_ranks_than_a_flat_one_within_12_plays()
    {
        var settings = new RunConfig().BanditSettings();
        double rising = LateMeanRank(Rising, settings), flat = LateMeanRank(Flat, settings);
        Assert.True(rising > 10.5, $"rising reward: mean rank {rising:F2} over plays 9-12");
        Assert.True(rising > flat + 2.5, $"rising {rising:F2} vs flat {flat:F2}");
        Assert.InRange(flat, 5.5, 9.5);   // no preference to find: near the uniform mean 7.5
    }

    /// <summary>Mean rank of plays 9-12 over 200 independent 12-play runs on rank-dependent rewards with N(0, 0.12) noise.</summary>
    private static double LateMeanRank(double[] meanByRank, BanditSettings settings)
    {
        double sum = 0;
        int count = 0;
        for (ulong seed = 1; seed <= 200; seed++)
        {
            var bandit = new SmoothUcb(Space, settings);
            var rng = new Rng(seed);
            var noise = new Rng(seed * 31 + 7);
            for (int t = 0; t < 12; t++)
            {
                Arm arm = bandit.Select(rng, _ => true) ?? throw new InvalidOperationException("nothing selected");
                int index = Space.Ranks.ToList().IndexOf(arm.Rank);
                bandit.Update(arm, Math.Clamp(meanByRank[index] + 0.12 * noise.NextGaussian(), 0, 1));
                if (t >= 8)
                {
                    sum += arm.Rank;
                    count++;
                }
            }
        }
        return sum / count;
    }
}
