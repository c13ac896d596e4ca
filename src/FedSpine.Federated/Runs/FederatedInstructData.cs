// The instruct task's run data: Dolly/Alpaca records split once (fixed seed, stratified by category) into training and the
// global test set; training records spread over the devices (IID, Dirichlet over categories, or `group`: whole categories
// per device), each with a local train/test split; everything tokenized once with the run's tokenizer.
using FedSpine.Federated.Data;
using FedSpine.Model.Tasks;
using FedSpine.Model.Tokenizers;
using FedSpine.Tensors;

namespace FedSpine.Federated.Runs;

public sealed class FederatedInstructData
{
    public const string TaskName = "instruct";

    /// <summary>Default tokens per example row of the instruct task (prompt and response; see InstructTruncation).</summary>
    public const int DefaultMaxTokens = 128;

    private FederatedInstructData(InstructDataset train, InstructDataset test, TokenizedInstructSet globalTest,
        IReadOnlyList<(TokenizedInstructSet Train, TokenizedInstructSet Test)> devices)
    {
        Train = train;
        Test = test;
        GlobalTest = globalTest;
        Devices = devices;
    }

    public InstructDataset Train { get; }

    /// <summary>The global test records (for generated responses and ROUGE-L).</summary>
    public InstructDataset Test { get; }
    public TokenizedInstructSet GlobalTest { get; }
    public IReadOnlyList<(TokenizedInstructSet Train, TokenizedInstructSet Test)> Devices { get; }

    /// <summary>Indices (into the categories) of the categories device d's training and local test records belong to.</summary>
    public int[] CategoriesOf(int device) => Devices[device].Train.CategoriesHeld().Union(Devices[device].Test.CategoriesHeld()).Order().ToArray();

    public static bool Handles(string task) => task == TaskName;

    /// <summary>The fixed split of data (or data + eval_data as given).</summary>
    public static (InstructDataset Train, InstructDataset Test) LoadTask(RunConfig config)
    {
        string path = config.Data ?? throw new ArgumentException("data: the instruct task needs a Dolly or Alpaca JSONL file (--data .../dolly/databricks-dolly-15k.jsonl)");
        var all = InstructDataset.Load(path);
        return config.EvalData is null ? all.Split() : (all, InstructDataset.Load(config.EvalData));
    }

    public static FederatedInstructData Create(RunConfig config, ITokenizer tokenizer, int deviceCount)
    {
        var (train, test) = LoadTask(config);
        int maxTokens = config.MaxTokens ?? DefaultMaxTokens;
        var encodedTrain = TokenizedInstructSet.Encode(train, tokenizer, maxTokens);
        var devices = DeviceIndices(config, train, deviceCount)
            .Select((p, d) => (encodedTrain.Subset(p.Train, $"device {d} train"), encodedTrain.Subset(p.Test, $"device {d} test")))
            .ToList();
        return new FederatedInstructData(train, test, TokenizedInstructSet.Encode(test, tokenizer, maxTokens), devices);
    }

    /// <summary>Each device's local train and test indices into the training records. `group` gives every device whole
    /// categories (one each when there are as many categories as devices); fewer categories than devices is an error.</summary>
    public static IReadOnlyList<(int[] Train, int[] Test)> DeviceIndices(RunConfig config, InstructDataset train, int deviceCount)
    {
        var spec = PartitionSpec.Parse(config.Partition);
        var rng = new Rng(config.Seed ^ 0xDA7A5EEDUL);
        int[][] parts = spec.Kind switch
        {
            PartitionKind.Iid => Partitioner.Iid(train.Count, deviceCount, rng),
            PartitionKind.Dirichlet => Partitioner.Dirichlet(train.CategoryOf, train.Categories.Count, deviceCount, spec.Alpha, rng),
            PartitionKind.Group => train.Categories.Count < deviceCount
                ? throw new ArgumentException($"partition: group puts whole categories on devices, but {train.Source} has {train.Categories.Count} " +
                    $"categor{(train.Categories.Count == 1 ? "y" : "ies")} for {deviceCount} devices; use fewer devices or dirichlet:ALPHA")
                : Partitioner.ByGroup(train.Records.Select(r => (string?)r.Category).ToArray(), deviceCount, rng),
            _ => throw new ArgumentException($"partition: unsupported '{config.Partition}'"),
        };
        var devices = new List<(int[], int[])>();
        foreach (int[] part in parts)
        {
            var (localTrain, localTest) = Partitioner.SplitDevice(part, config.LocalTestFraction, rng);
            devices.Add((localTrain, localTest));
        }
        return devices;
    }
}
