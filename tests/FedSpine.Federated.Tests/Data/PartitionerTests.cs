// Partitions cover every index exactly once, are sorted and repeatable for a seed; IID sizes differ by at most one;
// Dirichlet skew grows as alpha shrinks; natural groups stay whole; per-device splits keep a test example.
using FedSpine.Federated.Data;
using FedSpine.Model.Tasks;
using FedSpine.Tensors;

namespace FedSpine.Federated.Tests.Data;

public class PartitionerTests
{
    private static void AssertCoversOnce(int[][] parts, int count)
    {
        Assert.Equal(Enumerable.Range(0, count), parts.SelectMany(p => p).Order());
        Assert.All(parts, p => Assert.Equal(p.Order(), p));
    }

    private static int[] Labels(int count, int classes, ulong seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, count).Select(_ => rng.NextInt(classes)).ToArray();
    }

    // mean over devices of the largest class's share of the device's examples
    private static double MeanMaxClassShare(int[][] parts, int[] labels, int classes) =>
        parts.Average(p =>
        {
            var counts = new int[classes];
            foreach (int i in p)
            {
                counts[labels[i]]++;
            }
            return (double)counts.Max() / p.Length;
        });

    [Fact]
    public void IidIsBalancedCompleteAndRepeatable()
    {
        var parts = Partitioner.Iid(103, 10, new Rng(1));
        AssertCoversOnce(parts, 103);
        Assert.InRange(parts.Max(p => p.Length) - parts.Min(p => p.Length), 0, 1);
        Assert.Equal(parts, Partitioner.Iid(103, 10, new Rng(1)));
        Assert.NotEqual(parts, Partitioner.Iid(103, 10, new Rng(2)));
        Assert.Contains("at least one", Assert.Throws<ArgumentException>(() => Partitioner.Iid(3, 4, new Rng(1))).Message);
        Assert.Throws<ArgumentException>(() => Partitioner.Iid(3, 0, new Rng(1)));
    }

    [Fact]
    public void DirichletCoversEveryIndexOnceAndIsRepeatable()
    {
        var labels = Labels(1000, 4, 3);
        var parts = Partitioner.Dirichlet(labels, 4, 8, 0.5, new Rng(7));
        AssertCoversOnce(parts, labels.Length);
        Assert.All(parts, p => Assert.True(p.Length >= 2));
        Assert.Equal(parts, Partitioner.Dirichlet(labels, 4, 8, 0.5, new Rng(7)));
        Assert.NotEqual(parts, Partitioner.Dirichlet(labels, 4, 8, 0.5, new Rng(8)));
        var big = Partitioner.Dirichlet(labels, 4, 8, 0.5, new Rng(7), minPerDevice: 40);
        Assert.All(big, p => Assert.True(p.Length >= 40));
    }

    [Fact]
    public void SmallAlphaSkewsLabelsMoreThanLargeAlpha()
    {
        var labels = Labels(2000, 5, 4);
        double Skew(double alpha) => Enumerable.Range(0, 5)
            .Average(seed => MeanMaxClassShare(Partitioner.Dirichlet(labels, 5, 10, alpha, new Rng((ulong)seed)), labels, 5));
        double iid = MeanMaxClassShare(Partitioner.Iid(labels.Length, 10, new Rng(0)), labels, 5);
        double small = Skew(0.1), large = Skew(100);
        Assert.True(small > 0.6, $"alpha 0.1 mean max-class share {small}");
        Assert.True(large < 0.3, $"alpha 100 mean max-class share {large}");
        Assert.True(small > large + 0.3);
        Assert.InRange(large - iid, -0.05, 0.05);
    }

    [Fact]
    public void DirichletRejectsImpossibleRequestsClearly()
    {
        var labels = Labels(50, 2, 5);
        Assert.Contains("outside the 2 classes", Assert.Throws<ArgumentException>(() => Partitioner.Dirichlet([0, 1, 2], 2, 1, 1, new Rng(1))).Message);
        Assert.Contains("alpha", Assert.Throws<ArgumentException>(() => Partitioner.Dirichlet(labels, 2, 2, 0, new Rng(1))).Message);
        Assert.Contains("cannot give each of 30 devices at least 2", Assert.Throws<ArgumentException>(() => Partitioner.Dirichlet(labels, 2, 30, 1, new Rng(1))).Message);
        // 50 examples over 24 devices with at least 2 each is feasible only for near-even draws, which alpha 0.01 never gives
        var e = Assert.Throws<InvalidOperationException>(() => Partitioner.Dirichlet(labels, 2, 24, 0.01, new Rng(1)));
        Assert.Contains("raise alpha", e.Message);
    }

    [Fact]
    public void DirichletSamplerHasTheRightMeansAndSurvivesTinyAlpha()
    {
        foreach (double shape in new[] { 0.3, 1.0, 4.5 })
        {
            var rng = new Rng(9);
            double mean = Enumerable.Range(0, 20000).Average(_ => Math.Exp(DirichletSampler.LogGamma(shape, rng)));
            Assert.InRange(mean / shape, 0.96, 1.04);
        }
        var tiny = DirichletSampler.Symmetric(1e-4, 50, new Rng(3));
        Assert.Equal(1.0, tiny.Sum(), 12);
        Assert.All(tiny, p => Assert.True(p >= 0 && double.IsFinite(p)));
        Assert.True(tiny.Max() > 0.9); // nearly one-hot
    }

    [Fact]
    public void ByGroupKeepsGroupsWholeAndBalancesGreedily()
    {
        // sizes: a 10, b 6, c 5, d 3, e 2, f 1 → largest-first to the currently smallest device
        string[] sizes = ["a:10", "b:6", "c:5", "d:3", "e:2", "f:1"];
        var groups = sizes.SelectMany(s => Enumerable.Repeat(s.Split(':')[0], int.Parse(s.Split(':')[1]))).ToList();
        var rng = new Rng(2);
        var order = groups.Select((g, i) => (g, k: rng.NextDouble())).OrderBy(x => x.k).Select(x => (string?)x.g).ToArray(); // interleave
        var parts = Partitioner.ByGroup(order, 3, new Rng(4));
        AssertCoversOnce(parts, order.Length);
        var groupSets = parts.Select(p => p.Select(i => order[i]).Distinct().ToHashSet()).ToArray();
        for (int a = 0; a < 3; a++)
        {
            for (int b = a + 1; b < 3; b++)
            {
                Assert.Empty(groupSets[a].Intersect(groupSets[b]));
            }
        }
        // greedy: a → D1 (10); b → D2 (6); c → D3 (5); d → D3 (8); e → D2 (8); f → D2 or D3 (9)
        Assert.Equal([8, 9, 10], parts.Select(p => p.Length).Order());
        Assert.Equal(parts, Partitioner.ByGroup(order, 3, new Rng(4)));
    }

    [Fact]
    public void ByGroupRejectsMissingGroupsAndTooFewGroups()
    {
        var e = Assert.Throws<ArgumentException>(() => Partitioner.ByGroup(["a", "b", "a"], 3, new Rng(1)));
        Assert.Contains("only 2 natural group(s) for 3 devices", e.Message);
        var missing = Assert.Throws<ArgumentException>(() => Partitioner.ByGroup(["a", null, "b", ""], 2, new Rng(1)));
        Assert.Contains("2 example(s) have no group (first: example 1)", missing.Message);
    }

    [Fact]
    public void SplitDeviceKeepsATestExampleAndLosesNothing()
    {
        var rng = new Rng(6);
        foreach (int n in new[] { 0, 1, 2, 3, 10, 57 })
        {
            int[] indices = Enumerable.Range(100, n).Select(i => i * 2).ToArray();
            var (train, test) = Partitioner.SplitDevice(indices, 0.1, rng);
            Assert.Equal(indices, train.Concat(test).Order());
            Assert.Equal(train.Order(), train);
            Assert.Equal(test.Order(), test);
            Assert.Equal(n switch { 0 or 1 => 0, 57 => 6, _ => 1 }, test.Length);
            Assert.True(n < 2 || train.Length >= 1);
        }
        Assert.Single(Partitioner.SplitDevice([1, 2], 0.9, new Rng(1)).Test);
        Assert.Throws<ArgumentException>(() => Partitioner.SplitDevice([1, 2], 0, new Rng(1)));
        Assert.Throws<ArgumentException>(() => Partitioner.SplitDevice([1, 2], 1, new Rng(1)));
    }

    [Fact]
    public void SpamGroupsPartitionWholeMailboxes()
    {
        Assert.NotNull(SharedData.RepoRoot);
        var data = TextClassificationDataset.Load(Path.Combine(SharedData.RepoRoot, "data", "spam", "train.jsonl"));
        Assert.All(data.Examples, e => Assert.False(string.IsNullOrEmpty(e.Group)));
        var parts = PartitionSpec.Parse("group").Apply(data, 3, new Rng(1));
        AssertCoversOnce(parts, data.Count);
        var owners = parts.Select((p, d) => p.Select(i => (data.Examples[i].Group!, d))).SelectMany(x => x).Distinct().GroupBy(x => x.Item1);
        Assert.All(owners, g => Assert.Single(g));
    }
}
