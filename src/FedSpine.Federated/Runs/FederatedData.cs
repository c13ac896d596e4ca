// The run's data: the task's training set split over the devices (IID, Dirichlet label skew or natural groups) with a
// local train/test split per device, and the global test set; everything tokenized once with the run's tokenizer.
using FedSpine.Federated.Data;
using FedSpine.Model.Tasks;
using FedSpine.Model.Tokenizers;
using FedSpine.Tensors;

namespace FedSpine.Federated.Runs;

public sealed class FederatedData
{
    /// <summary>VADER's fixed 80/20 split (the pruning experiments' split).</summary>
    public const ulong VaderSplitSeed = 1;

    private FederatedData(TextClassificationDataset train, TokenizedClassificationSet globalTest,
        IReadOnlyList<(TokenizedClassificationSet Train, TokenizedClassificationSet Test)> devices)
    {
        Train = train;
        GlobalTest = globalTest;
        Devices = devices;
    }

    public TextClassificationDataset Train { get; }
    public TokenizedClassificationSet GlobalTest { get; }
    public IReadOnlyList<(TokenizedClassificationSet Train, TokenizedClassificationSet Test)> Devices { get; }
    public IReadOnlyList<string> Labels => Train.Labels;

    /// <summary>Default tokens per example row of a task.</summary>
    public static int DefaultMaxTokens(string task) => task switch
    {
        "spam" => 64,
        FederatedInstructData.TaskName => FederatedInstructData.DefaultMaxTokens,
        _ => 48,
    };

    public static (TextClassificationDataset Train, TextClassificationDataset Test) LoadTask(RunConfig config)
    {
        switch (config.Task)
        {
            case "spam":
            {
                var train = TextClassificationDataset.Load(config.Data ?? Path.Combine("data", "spam", "train.jsonl"));
                return (train, TextClassificationDataset.Load(config.EvalData ?? Path.Combine("data", "spam", "test.jsonl"), train.Labels));
            }
            case "sentiment":
            {
                string path = config.Data ?? throw new ArgumentException("data: the sentiment task needs the VADER movie snippets file (--data .../vader/movieReviewSnippets_GroundTruth.txt)");
                var (train, test) = VaderSentiment.Load(path, VaderSplitSeed);
                return config.EvalData is null ? (train, test) : (train, TextClassificationDataset.Load(config.EvalData, train.Labels));
            }
            case "classify":
            {
                string path = config.Data ?? throw new ArgumentException("data: the classify task needs a labelled JSONL/CSV/TSV file");
                var all = TextClassificationDataset.Load(path);
                return config.EvalData is null ? all.Split(0.2, config.Seed) : (all, TextClassificationDataset.Load(config.EvalData, all.Labels));
            }
            case FederatedInstructData.TaskName:
                throw new ArgumentException("task: instruct data is read by FederatedInstructData, not as a classification set");
            default:
                throw new ArgumentException($"task: unknown task '{config.Task}' (expected spam, sentiment or classify)");
        }
    }

    public static FederatedData Create(RunConfig config, ITokenizer tokenizer, int deviceCount)
    {
        var (train, test) = LoadTask(config);
        int maxTokens = config.MaxTokens ?? DefaultMaxTokens(config.Task);
        var encodedTrain = TokenizedClassificationSet.Encode(train, tokenizer, maxTokens);
        var globalTest = TokenizedClassificationSet.Encode(test, tokenizer, maxTokens);
        var devices = new List<(TokenizedClassificationSet, TokenizedClassificationSet)>();
        var parts = DeviceIndices(config, train, deviceCount);
        for (int d = 0; d < parts.Count; d++)
        {
            devices.Add((encodedTrain.Subset(parts[d].Train, $"device {d} train"), encodedTrain.Subset(parts[d].Test, $"device {d} test")));
        }
        return new FederatedData(train, globalTest, devices);
    }

    /// <summary>Each device's examples of the task's training set: its local train indices and its local test indices (in
    /// the order the device evaluates them). The one partition step of a run; `fedspine partition` writes the same.</summary>
    public static IReadOnlyList<(int[] Train, int[] Test)> DeviceIndices(RunConfig config, TextClassificationDataset train, int deviceCount)
    {
        var spec = PartitionSpec.Parse(config.Partition);
        var rng = new Rng(config.Seed ^ 0xDA7A5EEDUL);
        int[][] parts = spec.Kind switch
        {
            PartitionKind.Iid => Partitioner.Iid(train.Count, deviceCount, rng),
            PartitionKind.Dirichlet => Partitioner.Dirichlet(train.Examples.Select(e => e.Label).ToArray(), train.ClassCount, deviceCount, spec.Alpha, rng),
            PartitionKind.Group => Partitioner.ByGroup(train.Examples.Select(e => e.Group).ToArray(), deviceCount, rng),
            _ => throw new ArgumentException($"partition: unsupported '{config.Partition}'"),
        };
        var devices = new List<(int[], int[])>();
        for (int d = 0; d < parts.Length; d++)
        {
            var (localTrain, localTest) = Partitioner.SplitDevice(parts[d], config.LocalTestFraction, rng);
            localTest = Shuffled(localTest, rng);   // devices evaluate a prefix of it
            devices.Add((localTrain, localTest));
        }
        return devices;
    }

    private static int[] Shuffled(int[] indices, Rng rng)
    {
        var order = (int[])indices.Clone();
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }
}
