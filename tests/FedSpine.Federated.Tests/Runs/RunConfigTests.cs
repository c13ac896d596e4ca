// Run config files: JSON and YAML read into the same config; unknown keys, wrong types and bad values name the key.
using FedSpine.Federated.Runs;

namespace FedSpine.Federated.Tests.Runs;

public sealed class RunConfigTests
{
    [Fact]
    public void Json_and_yaml_give_the_same_config()
    {
        var json = RunConfigFile.Parse("""{"task": "sentiment", "rounds": 7, "sparsity": 0.4, "methods": ["fedspine", "fedit"], "deadline_s": 12.5}""", "c.json", yaml: false);
        var yaml = RunConfigFile.Parse("task: sentiment\nrounds: 7\nsparsity: 0.4\nmethods: [fedspine, fedit]\ndeadline_s: 12.5\n", "c.yaml", yaml: true);
        Assert.Equal(RunConfigFile.ToJson(json), RunConfigFile.ToJson(yaml));
        Assert.Equal(7, yaml.Rounds);
        Assert.Equal(["fedspine", "fedit"], yaml.Methods);
    }

    [Theory]
    [InlineData("rounds: 3\nroundz: 4\n", "unknown key 'roundz'")]
    [InlineData("rounds: many\n", "key 'rounds'")]
    [InlineData("methods: fedspine\n", "key 'methods'")]
    public void File_errors_name_the_key(string yaml, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => RunConfigFile.Parse(yaml, "run.yaml", yaml: true));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("run.yaml: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_words_that_dotnet_reads_as_numbers_stay_text()
    {
        var yaml = RunConfigFile.Parse("attack: nan\n", "c.yaml", yaml: true);
        Assert.Equal("nan", yaml.Attack);
        var e = Assert.Throws<InvalidDataException>(() => RunConfigFile.Parse("sparsity: Infinity\n", "c.yaml", yaml: true));
        Assert.Contains("sparsity", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("methods", "methods: unknown method 'fedprox'")]
    [InlineData("devices", "devices:")]
    [InlineData("partition", "partition 'dirichlet:-1'")]
    [InlineData("rounds", "rounds: must be at least 1")]
    [InlineData("sparsity", "sparsity: must be in [0, 1)")]
    [InlineData("aggregator", "aggregator:")]
    [InlineData("fixed_rank", "fixed_rank:")]
    [InlineData("trimmed-mean", "aggregator: trimmed-mean: the trimmed share")]
    [InlineData("clip_multiple", "clip_multiple: must be 0 (off) or at least 1")]
    [InlineData("weight_cap_multiple", "weight_cap_multiple: must be 0 (off) or at least 1")]
    [InlineData("max_global_change", "max_global_change: must be finite")]
    [InlineData("keep_checkpoints", "keep_checkpoints: must be at least 1")]
    public void Bad_values_name_the_key(string key, string expected)
    {
        var c = new RunConfig();
        c = key switch
        {
            "methods" => c with { Methods = ["fedspine", "fedprox"] },
            "devices" => c with { Devices = "6 tx2, ten nx" },
            "partition" => c with { Partition = "dirichlet:-1" },
            "rounds" => c with { Rounds = 0 },
            "sparsity" => c with { Sparsity = 1.2 },
            "aggregator" => c with { Aggregator = "krum" },
            "fixed_rank" => c with { FixedRank = 64 },
            "trimmed-mean" => c with { Aggregator = "trimmed-mean:0.7" },
            "clip_multiple" => c with { ClipMultiple = 0.5 },
            "weight_cap_multiple" => c with { WeightCapMultiple = -1 },
            "max_global_change" => c with { MaxGlobalChange = double.NaN },
            "keep_checkpoints" => c with { KeepCheckpoints = 0 },
            _ => c,
        };
        var e = Assert.Throws<ArgumentException>(() => RunConfigValidator.Validate(c));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Target_accuracy_is_a_share_for_classification_and_a_perplexity_for_instruct()
    {
        var spam = new RunConfig { TargetAccuracy = 0.8 };
        RunConfigValidator.Validate(spam);
        Assert.StartsWith("target_accuracy: must be in (0, 1]", Assert.Throws<ArgumentException>(() => RunConfigValidator.Validate(spam with { TargetAccuracy = 12 })).Message,
            StringComparison.Ordinal);
        var instruct = new RunConfig { Task = FederatedInstructData.TaskName, Data = "dolly.jsonl", TargetAccuracy = 12.5 };
        RunConfigValidator.Validate(instruct);   // a response perplexity of 12.5: lower is better, any value from 1 up
        var e = Assert.Throws<ArgumentException>(() => RunConfigValidator.Validate(instruct with { TargetAccuracy = 0.8 }));
        Assert.StartsWith("target_accuracy: is a response perplexity for the instruct task and must be at least 1", e.Message, StringComparison.Ordinal);
    }
}
