// The instruct task in federated runs: `group` puts each category wholly on one device, fewer categories than devices is
// one error naming the option, Dirichlet spreads categories, and a tiny simulate run (pruning and not) trains through the
// frozen LM head with no classification head in its state, reporting response perplexity (and each device's model on its
// own category beside the whole test set).
using FedSpine.Federated.Runs;
using FedSpine.Model.Tasks;
using FedSpine.Model.Formats;

namespace FedSpine.Federated.Tests.Runs;

public sealed class InstructRunTests
{
    private static readonly string[] Topics = ["open_qa", "brainstorming", "summarization", "classification"];

    // count records per category: short question/answer pairs with a context on every third.
    private static string WriteData(int perCategory, int categories)
    {
        string path = Path.Combine(TinyRuns.TempFolder("instruct"), "tiny.jsonl");
        var lines = new List<string>();
        for (int c = 0; c < categories; c++)
        {
            for (int i = 0; i < perCategory; i++)
            {
                string context = i % 3 == 0 ? $"Item {i} is in {Topics[c]}." : "";
                lines.Add($"{{\"instruction\": \"Name item {i} of {Topics[c]}.\", \"context\": \"{context}\", \"response\": \"It is item {i}.\", \"category\": \"{Topics[c]}\"}}");
            }
        }
        File.WriteAllLines(path, lines);
        return path;
    }

    private static RunConfig Config(string data, string partition, params string[] methods) => TinyRuns.Spam(methods) with
    {
        Task = FederatedInstructData.TaskName,
        Data = data,
        EvalData = null,
        Partition = partition,
        MaxTokens = 32,
        Rounds = 2,
        EvalExamples = 8,
        RougeSamples = 2,
    };

    [Fact]
    public void Group_puts_each_category_wholly_on_one_device()
    {
        var config = Config(WriteData(12, 4), "group");
        var (train, _) = FederatedInstructData.LoadTask(config);
        var parts = FederatedInstructData.DeviceIndices(config, train, 4);
        var owner = new Dictionary<string, int>();
        for (int d = 0; d < parts.Count; d++)
        {
            var categories = parts[d].Train.Concat(parts[d].Test).Select(i => train.Records[i].Category).Distinct().ToList();
            Assert.Single(categories);   // four categories, four devices: one each
            Assert.True(owner.TryAdd(categories[0], d), $"{categories[0]} is on devices {owner.GetValueOrDefault(categories[0])} and {d}");
        }
        Assert.Equal(train.Count, parts.Sum(p => p.Train.Length + p.Test.Length));
    }

    [Fact]
    public void Fewer_categories_than_devices_for_group_is_one_error_naming_the_option()
    {
        var config = Config(WriteData(12, 3), "group");
        var (train, _) = FederatedInstructData.LoadTask(config);
        var e = Assert.Throws<ArgumentException>(() => FederatedInstructData.DeviceIndices(config, train, 4));
        Assert.StartsWith("partition: group", e.Message);
        Assert.Contains("3 categories for 4 devices", e.Message);
    }

    [Fact]
    public void Dirichlet_over_categories_gives_every_device_examples()
    {
        var config = Config(WriteData(20, 4), "dirichlet:0.5");
        var (train, test) = FederatedInstructData.LoadTask(config);
        Assert.Equal(8, test.Count);   // 10% of each category's 20
        var parts = FederatedInstructData.DeviceIndices(config, train, 4);
        Assert.All(parts, p => Assert.True(p.Train.Length > 0));
        Assert.Equal(train.Count, parts.Sum(p => p.Train.Length + p.Test.Length));
    }

    [Fact]
    public void A_tiny_instruct_simulation_reports_perplexity_and_keeps_no_head()
    {
        string folder = TinyRuns.TempFolder("instruct-run");
        var runner = new SimulationRunner(Config(WriteData(10, 4), "group", "fedspine", "hetlora", "fedit") with { Sparsity = 0.3 }, folder);
        var results = runner.Run()!;
        Assert.Equal(3, results.Count);
        foreach (var r in results)
        {
            Assert.Equal("perplexity", r.Metric);
            Assert.False(r.HigherIsBetter);
            Assert.True(r.FinalPerplexity is > 1 and < 4096, $"{r.Method}: perplexity {r.FinalPerplexity}");
            Assert.Equal(1 / r.FinalPerplexity!.Value, r.FinalAccuracy, 12);
            Assert.Equal(4, r.CategoryPerplexity!.Count);
            Assert.NotNull(r.FinalRougeL);
            Assert.Equal(2, r.Responses!.Count);   // rouge_samples 2, at most ShownResponses kept
            Assert.DoesNotContain("###", r.Responses[0].Response);
            Assert.All(r.Curve, p => Assert.True(p.Perplexity > 1));
            Assert.Equal(r.FinalExamples, r.ExampleLoss!.Count);
            using var checkpoint = SafeTensorsFile.Open(Path.Combine(SimulationRunner.MethodFolder(folder, r.Method), RunCheckpoint.FileName));
            Assert.DoesNotContain(checkpoint.Entries, e => e.Name.StartsWith("head.", StringComparison.Ordinal));
        }
        Assert.True(results[0].FinalSparsity > 0.2, $"fedspine pruned {results[0].FinalSparsity:P1}");
        Assert.Equal(0, results[1].FinalSparsity);

        // Own categories: `group` gives each of the 4 devices one category, all different. The final perplexity is the
        // geometric mean of the devices' global ones; fedit's devices (one rank, unpruned) deploy the same model, so each
        // device's own-category perplexity is that category's and its global one the final.
        foreach (var r in results)
        {
            Assert.Equal([0, 1, 2, 3], r.DevicePerplexity!.Select(d => d.Device));
            Assert.All(r.DevicePerplexity!, d => Assert.Single(d.Categories));
            Assert.Equal(4, r.DevicePerplexity!.Select(d => d.Categories[0]).Distinct().Count());
            Assert.All(r.DevicePerplexity!, d => Assert.True(d.OwnCategoryPerplexity > 1, $"{r.Method} device {d.Device}: {d.OwnCategoryPerplexity}"));
            Assert.Equal(r.FinalPerplexity!.Value, Math.Exp(r.DevicePerplexity!.Average(d => Math.Log(d.GlobalPerplexity))), 9);
        }
        var fedit = results[2];
        Assert.All(fedit.DevicePerplexity!, d =>
        {
            Assert.Equal(fedit.CategoryPerplexity![d.Categories[0]], d.OwnCategoryPerplexity!.Value, 9);
            Assert.Equal(fedit.FinalPerplexity!.Value, d.GlobalPerplexity, 9);
        });
        var saved = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(SimulationRunner.MethodFolder(folder, "hetlora"), "result.json")));
        Assert.Equal(4, saved.RootElement.GetProperty("device_perplexity").GetArrayLength());
        Assert.True(saved.RootElement.GetProperty("device_perplexity")[0].GetProperty("own_category_perplexity").GetDouble() > 1);
    }
}
