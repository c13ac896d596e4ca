// A real device agent (stories260K, its own data file) sent a task whose head bias holds NaN declines every such round
// with the reason, trains on nothing and keeps no state from it; the server logs who declined and why, and ends the run.
using System.Text.Json;
using FedSpine.Deploy.Agent;
using FedSpine.Deploy.Server;
using FedSpine.Federated.Runs;

namespace FedSpine.Deploy.Tests;

public sealed class NonFiniteTaskTests
{
    [SharedDataFact]
    public async Task A_device_agent_declines_a_task_holding_a_non_finite_value()
    {
        string folder = Loopback.TempFolder("nonfinite");
        var config = new RunConfig
        {
            Model = SharedData.Stories260K,
            Tokenizer = SharedData.Tok512,
            Task = "classify",
            Devices = "1 agx",
            Rounds = 2,
            LocalSteps = 1,
            Batch = 2,
            MaxTokens = 16,
            Methods = ["fedit"],
            MinDevices = 1,
            SaveModels = false,
        };
        var run = ServerRun.Start(config, Path.Combine(folder, "run"), 1, ["negative", "positive"]);
        var tokens = TokenTable.LoadOrCreate(Path.Combine(folder, "tokens.txt"), 1);
        var log = new LogCapture();
        var options = new ServerOptions
        {
            Urls = "http://127.0.0.1:0", RoundTimeout = TimeSpan.FromSeconds(30), DeviceWait = TimeSpan.FromSeconds(30), Linger = TimeSpan.FromSeconds(2),
        };
        await using var server = await DeployServer.StartAsync(run, tokens, options, log);
        run.Server.Global.HeadBias[1] = float.NaN;   // what a corrupted server (or a tampered transfer) would send

        string data = Path.Combine(folder, "device-0.jsonl");
        File.WriteAllLines(data, Enumerable.Range(0, 6).Select(i => JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["text"] = i % 2 == 0 ? "a happy little cat" : "a sad old dog",
            ["label"] = i % 2 == 0 ? "positive" : "negative",
            ["split"] = i < 4 ? "train" : "test",
        })));
        var agentLog = new List<string>();
        var agent = new DeviceAgent(new AgentOptions
        {
            Server = new Uri(server.Addresses.First(a => a.StartsWith("http://127.0.0.1", StringComparison.Ordinal))),
            Id = 0, Token = tokens.Tokens[0], Model = SharedData.Stories260K, Tokenizer = SharedData.Tok512, Data = data,
            PollWait = TimeSpan.FromSeconds(2),
        }, line => { lock (agentLog) { agentLog.Add(line); } });
        await agent.RunAsync().WaitAsync(TimeSpan.FromSeconds(60));
        var result = await server.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, result.Rounds);
        Assert.Equal(0, agent.RoundsTrained);
        string[] reasons = agentLog.Where(l => l.Contains("head bias holds a non-finite value (NaN) at index 1", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, reasons.Length);   // one per round
        Assert.Equal(2, log.Lines.Count(l => l.Contains("device 0 declined round", StringComparison.Ordinal) && l.Contains("non-finite", StringComparison.Ordinal)));
        var statuses = File.ReadAllLines(Path.Combine(run.MethodFolder, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(r => r.TryGetProperty("device", out _)).Select(r => r.GetProperty("status").GetString()).ToArray();
        Assert.Equal(2, statuses.Length);
        Assert.All(statuses, s => Assert.NotEqual("ok", s));
    }
}
