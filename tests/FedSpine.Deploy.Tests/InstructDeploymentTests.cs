// A tiny instruct deployment on loopback: `fedspine partition --task instruct` writes each device's instruction records,
// a DeployServer holding the Dolly-style data and two DeviceAgents (stories260K, profiles) run 2 rounds; the devices train
// the instruct task and report 1/perplexity, the server scores their models by response perplexity on the fixed test split
// (own categories beside global), and everything equals the in-process simulation of the same config and seed.
using FedSpine.Deploy.Agent;
using FedSpine.Deploy.Server;
using FedSpine.Federated.Devices;
using FedSpine.Federated.Runs;

namespace FedSpine.Deploy.Tests;

public sealed class InstructDeploymentTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private static readonly string[] Topics = ["open_qa", "brainstorming", "summarization", "classification"];

    // 4 categories x 10 short records; a context on every third.
    private static string WriteData(string folder)
    {
        string path = Path.Combine(folder, "tiny-dolly.jsonl");
        File.WriteAllLines(path, Topics.SelectMany(topic => Enumerable.Range(0, 10).Select(i =>
            $"{{\"instruction\": \"Name item {i} of {topic}.\", \"context\": \"{(i % 3 == 0 ? $"Item {i} is in {topic}." : "")}\", \"response\": \"It is item {i}.\", \"category\": \"{topic}\"}}")));
        return path;
    }

    private static RunConfig Config(string data) => new()
    {
        Model = SharedData.Stories260K,
        Tokenizer = SharedData.Tok512,
        Task = FederatedInstructData.TaskName,
        Data = data,
        Partition = "group",
        Devices = "1 tx2, 1 agx",
        Rounds = 2,
        LocalSteps = 2,
        Batch = 2,
        MaxTokens = 32,
        EvalExamples = 4,
        RougeSamples = 0,
        Sparsity = 0.3,
        SaveModels = false,
        Methods = ["fedspine"],
    };

    [SharedDataFact]
    public async Task A_tiny_instruct_deployment_trains_reports_perplexity_and_equals_the_simulation()
    {
        string folder = Loopback.TempFolder("instruct");
        var config = Config(WriteData(folder));
        var (_, parts) = FedspineProcess.WriteConfigAndPartition(folder, config, 2, Limit);
        Assert.Contains("\"instruction\"", File.ReadLines(Path.Combine(parts, "device-0.jsonl")).First(), StringComparison.Ordinal);

        var run = ServerRun.Start(config, Path.Combine(folder, "run"), 2, labels: null);
        Assert.NotNull(run.Instruct);   // the server holds the data and the tokenizer: it scores the devices' models
        var tokens = TokenTable.LoadOrCreate(Path.Combine(folder, "tokens.txt"), 2);
        var options = new ServerOptions { Urls = "http://127.0.0.1:0", RoundTimeout = Limit, DeviceWait = Limit, Linger = TimeSpan.FromSeconds(2) };
        await using var server = await DeployServer.StartAsync(run, tokens, options);
        var url = new Uri(server.Addresses.First(a => a.StartsWith("http://127.0.0.1", StringComparison.Ordinal)));
        var profiles = DeviceMix.Parse(config.Devices);
        var logs = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var agents = Enumerable.Range(0, 2).Select(i => new DeviceAgent(new AgentOptions
        {
            Server = url,
            Id = i,
            Token = tokens.Tokens[i],
            Model = config.Model,
            Tokenizer = config.Tokenizer,
            Data = Path.Combine(parts, $"device-{i}.jsonl"),
            Profile = profiles[i].Name,
            Throttle = false,
            StatePath = Path.Combine(folder, $"device-{i}.state.json"),
        }, line => logs.Enqueue($"device {i}: {line}"))).ToList();
        var running = agents.Select(a => Task.Run(() => a.RunAsync())).ToList();
        await Task.WhenAny(Task.WhenAll(running), Task.Delay(Limit));
        Assert.True(Task.WhenAll(running).IsCompleted, "devices did not finish:\n" + string.Join('\n', logs) + "\n" +
            string.Join('\n', running.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!.ToString())) +
            (server.Completion.IsFaulted ? "\nserver: " + server.Completion.Exception!.InnerException : ""));
        await Task.WhenAll(running);
        var result = await server.Completion;

        Assert.All(agents, a => Assert.Equal(2, a.RoundsTrained));
        Assert.Contains(logs, l => l.Contains("instruct examples from", StringComparison.Ordinal));
        Assert.Equal(MethodResult.PerplexityMetric, result.Metric);
        Assert.True(result.FinalPerplexity is > 1 and < 1e6, $"final perplexity {result.FinalPerplexity}");
        Assert.Equal(1 / result.FinalPerplexity!.Value, result.FinalAccuracy, 12);
        Assert.True(result.FinalLocalAccuracy is > 0 and <= 1, $"local 1/perplexity {result.FinalLocalAccuracy}");
        Assert.Equal(2, result.Curve.Count);
        Assert.All(result.Curve, p => Assert.True(p.Perplexity > 1, $"round {p.Round}: {p.Perplexity}"));
        Assert.Equal(2, result.DevicePerplexity!.Count);
        Assert.All(result.DevicePerplexity!, d => Assert.Equal(2, d.Categories.Count));   // group: 4 categories over 2 devices
        Assert.Equal(4, result.DevicePerplexity!.SelectMany(d => d.Categories).Distinct().Count());
        Assert.True(result.FinalSparsity > 0.1, $"sparsity {result.FinalSparsity}");

        // The simulation of the same config: same global state, same curve, same scores.
        var simulated = new SimulationRunner(config, Path.Combine(folder, "sim")).Run()!.Single();
        Assert.Equal(simulated.Curve.Select(p => p.Perplexity), result.Curve.Select(p => p.Perplexity));
        Assert.Equal(simulated.FinalPerplexity, result.FinalPerplexity);
        Assert.Equal(simulated.DevicePerplexity, result.DevicePerplexity, (a, b) =>
            a.Device == b.Device && a.Categories.SequenceEqual(b.Categories) && a.OwnCategoryPerplexity == b.OwnCategoryPerplexity && a.GlobalPerplexity == b.GlobalPerplexity);
        var expected = Loopback.Tensors(Path.Combine(SimulationRunner.MethodFolder(Path.Combine(folder, "sim"), "fedspine"), RunCheckpoint.FileName), "lora.", "head.");
        var actual = Loopback.Tensors(Path.Combine(run.MethodFolder, RunCheckpoint.FileName), "lora.", "head.");
        Assert.True(expected.Count > 2);
        Assert.DoesNotContain(expected.Keys, k => k.StartsWith("head.", StringComparison.Ordinal));
        Assert.All(expected, e => Assert.True(e.Value.AsSpan().SequenceEqual(actual[e.Key]), $"tensor {e.Key} differs from the simulation's"));
    }
}
