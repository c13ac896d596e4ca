// Partition specs as written on a command line: "iid", "dirichlet:ALPHA", "group"; round trip and clear errors.
using FedSpine.Federated.Data;
using FedSpine.Model.Tasks;
using FedSpine.Tensors;

namespace FedSpine.Federated.Tests.Data;

public class PartitionSpecTests
{
    [Theory]
    [InlineData("iid", PartitionKind.Iid, 0, "iid")]
    [InlineData(" IID ", PartitionKind.Iid, 0, "iid")]
    [InlineData("group", PartitionKind.Group, 0, "group")]
    [InlineData("dirichlet:0.5", PartitionKind.Dirichlet, 0.5, "dirichlet:0.5")]
    [InlineData("Dirichlet : 1e-2", PartitionKind.Dirichlet, 0.01, "dirichlet:0.01")]
    public void ParsesAndWritesBack(string text, PartitionKind kind, double alpha, string written)
    {
        var spec = PartitionSpec.Parse(text);
        Assert.Equal(new PartitionSpec(kind, alpha), spec);
        Assert.Equal(written, spec.ToString());
        Assert.Equal(spec, PartitionSpec.Parse(spec.ToString()));
    }

    [Theory]
    [InlineData("", "unknown partition ''")]
    [InlineData("dirichlet", "needs a concentration")]
    [InlineData("dirichlet:", "needs a concentration")]
    [InlineData("dirichlet:-1", "alpha '-1' must be a positive number")]
    [InlineData("dirichlet:abc", "alpha 'abc'")]
    [InlineData("dirichlet:0", "alpha '0'")]
    [InlineData("iid:3", "takes no argument")]
    [InlineData("shards", "unknown partition 'shards'; expected iid, dirichlet:ALPHA")]
    public void BadSpecsGiveOneClearMessage(string text, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => PartitionSpec.Parse(text));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void ApplyDispatchesOnTheKind()
    {
        var examples = Enumerable.Range(0, 60).Select(i => new TextExample($"t{i}", i % 3, $"g{i % 6}")).ToList();
        var data = new TextClassificationDataset(examples, ["a", "b", "c"], "memory");
        Assert.Equal(Partitioner.Iid(60, 4, new Rng(3)), PartitionSpec.Iid.Apply(data, 4, new Rng(3)));
        Assert.Equal(Partitioner.Dirichlet(examples.Select(e => e.Label).ToArray(), 3, 4, 0.7, new Rng(3)),
            PartitionSpec.Dirichlet(0.7).Apply(data, 4, new Rng(3)));
        var groups = PartitionSpec.ByGroup.Apply(data, 4, new Rng(3));
        Assert.Equal([10, 10, 20, 20], groups.Select(p => p.Length).Order());
        var owners = groups.SelectMany((p, d) => p.Select(i => (examples[i].Group, d))).Distinct().ToList();
        Assert.Equal(6, owners.Count); // six groups, each on exactly one device
        Assert.Throws<ArgumentException>(() => PartitionSpec.Dirichlet(0));
    }
}
