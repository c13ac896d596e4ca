// `fedspine partition`'s device files give each device exactly the examples (same tokens, labels and order of its train
// and local-test sets) that FederatedData.Create gives the simulated device for the same config; the command writes them.
using FedSpine.Federated.Data;
using FedSpine.Federated.Runs;
using FedSpine.Model;
using FedSpine.Model.Tasks;

namespace FedSpine.Deploy.Tests;

public sealed class PartitionFileTests
{
    private static RunConfig Vader => new()
    {
        Model = SharedData.Stories260K,
        Tokenizer = SharedData.Tok512,
        Task = "sentiment",
        Data = SharedData.File("data/vader/movieReviewSnippets_GroundTruth.txt"),
        Partition = "dirichlet:0.5",
        Seed = 7,
    };

    [SharedDataTheory]
    [InlineData("dirichlet:0.5")]
    [InlineData("iid")]
    public void Device_files_hold_the_simulated_devices_examples(string partition)
    {
        var config = Vader with { Partition = partition };
        var tokenizer = ModelLoader.Load(config.Model, config.Tokenizer).Tokenizer!;
        var expected = FederatedData.Create(config, tokenizer, 5);
        var (train, _) = FederatedData.LoadTask(config);
        var parts = FederatedData.DeviceIndices(config, train, 5);
        string folder = Loopback.TempFolder("partition");
        for (int d = 0; d < 5; d++)
        {
            string path = Path.Combine(folder, DeviceDataFile.FileName(d));
            DeviceDataFile.Write(path, train, parts[d].Train, parts[d].Test);
            var (localTrain, localTest) = DeviceDataFile.Read(path, expected.Labels);
            int tokens = FederatedData.DefaultMaxTokens(config.Task);
            AssertSame(expected.Devices[d].Train, TokenizedClassificationSet.Encode(localTrain, tokenizer, tokens));
            AssertSame(expected.Devices[d].Test, TokenizedClassificationSet.Encode(localTest, tokenizer, tokens));
        }
    }

    [SharedDataFact]
    public void The_partition_command_writes_one_file_per_device_and_a_manifest()
    {
        string folder = Loopback.TempFolder("partition-cli");
        using var process = new FedspineProcess("partition", "--task", "sentiment", "--data", Vader.Data!, "--devices", "3",
            "--partition", "dirichlet:0.5", "--seed", "7", "--out", folder);
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)) == 0, process.Output);
        Assert.All(Enumerable.Range(0, 3), d => Assert.True(File.Exists(Path.Combine(folder, $"device-{d}.jsonl"))));
        Assert.True(File.Exists(Path.Combine(folder, "partition.json")));
        var (train, _) = FederatedData.LoadTask(Vader);
        int rows = Enumerable.Range(0, 3).Sum(d => File.ReadAllLines(Path.Combine(folder, $"device-{d}.jsonl")).Length);
        Assert.Equal(train.Count, rows);
    }

    private static void AssertSame(TokenizedClassificationSet expected, TokenizedClassificationSet actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected.Label(i), actual.Label(i));
            Assert.True(expected.Ids(i).SequenceEqual(actual.Ids(i)), $"example {i} tokens differ");
        }
    }
}
