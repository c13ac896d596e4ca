// The deployment as users run it, on loopback: `fedspine partition`, one `fedspine server` process and four `fedspine
// device` processes (stories260K, VADER shards, profiles as in the run's device mix) end with the same global LoRA, head
// and per-device metrics as the in-process simulation of the same config and seed; and a server killed (or stopped by
// SIGTERM: exit 0 within 10 s, resume hint) after round 2 and restarted with --resume (devices reconnecting) ends the same.
using FedSpine.Federated.Devices;
using FedSpine.Federated.Runs;
using Xunit.Abstractions;

namespace FedSpine.Deploy.Tests;

public sealed class EndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(50);

    private static RunConfig Config(int rounds) => new()
    {
        Model = SharedData.Stories260K,
        Tokenizer = SharedData.Tok512,
        Task = "sentiment",
        Data = SharedData.File("data/vader/movieReviewSnippets_GroundTruth.txt"),
        Devices = "2 tx2, 1 nx, 1 agx",
        Rounds = rounds,
        LocalSteps = 2,
        Batch = 4,
        MaxTokens = 24,
        EvalExamples = 16,
        SaveModels = false,
        Methods = ["fedspine"],
        PruneEnd = 0.67,
    };

    [SharedDataFact]
    public void Server_and_four_device_processes_reproduce_the_simulation()
    {
        var config = Config(rounds: 3);
        var (folder, run) = Deploy(config, killServerAfterRound: null);
        CompareWithSimulation(config, folder, run);
    }

    [SharedDataFact]
    public void A_server_killed_after_round_2_resumes_and_ends_like_an_uninterrupted_run()
    {
        var config = Config(rounds: 5);
        var (folder, run) = Deploy(config, killServerAfterRound: 2);
        CompareWithSimulation(config, folder, run);
    }

    [SharedDataFact]
    public void A_server_stopped_by_SIGTERM_mid_run_exits_0_with_the_hint_and_resumes_like_an_uninterrupted_run()
    {
        var config = Config(rounds: 5);
        var (folder, run) = Deploy(config, killServerAfterRound: 2, terminate: true);
        CompareWithSimulation(config, folder, run);
    }

    private (string Folder, string Run) Deploy(RunConfig config, int? killServerAfterRound, bool terminate = false)
    {
        string folder = Loopback.TempFolder("e2e");
        var (configPath, parts) = FedspineProcess.WriteConfigAndPartition(folder, config, 4, Limit);
        int port = Loopback.FreePort();
        string url = $"http://127.0.0.1:{port}";
        string run = Path.Combine(folder, "run");
        string tokens = Path.Combine(folder, "tokens.txt");
        string[] serverArgs = ["server", "--urls", url, "--config", configPath, "--out", run, "--expect-devices", "4", "--tokens", tokens, "--linger", "5"];
        var server = new FedspineProcess(serverArgs);
        var devices = new List<FedspineProcess>();
        try
        {
            var until = DateTime.UtcNow + Limit;
            while (!File.Exists(tokens) && DateTime.UtcNow < until && !server.HasExited)
            {
                Thread.Sleep(50);
            }
            Assert.True(File.Exists(tokens), server.Output);
            var tokenOf = File.ReadAllLines(tokens).Select(l => l.Split(' ')).ToDictionary(p => int.Parse(p[0]), p => p[1]);
            var profiles = DeviceMix.Parse(config.Devices);
            for (int i = 0; i < 4; i++)
            {
                devices.Add(new FedspineProcess("device", "--server", url, "--id", $"{i}", "--token", tokenOf[i], "--model", config.Model,
                    "--tokenizer", config.Tokenizer!, "--data", Path.Combine(parts, $"device-{i}.jsonl"), "--profile", profiles[i].Name, "--give-up", "60"));
            }
            if (killServerAfterRound is int k)
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
                while (Loopback.Status(http, url) is not { } s || s.GetProperty("round").GetInt32() < k)
                {
                    Assert.True(DateTime.UtcNow < until && !server.HasExited, "server never reached round " + k + ":\n" + server.Output);
                    Thread.Sleep(20);
                }
                if (terminate)
                {
                    var stopping = System.Diagnostics.Stopwatch.StartNew();
                    server.Terminate();
                    Assert.True(server.WaitForExit(TimeSpan.FromSeconds(10)) == 0, "SIGTERM did not give exit 0 within 10 s:\n" + server.Output);
                    output.WriteLine($"SIGTERM: exit 0 after {stopping.Elapsed.TotalSeconds:0.00} s");
                    Assert.Contains($"continue with: fedspine server --resume {run}", server.Output, StringComparison.Ordinal);
                    Assert.True(File.Exists(Path.Combine(SimulationRunner.MethodFolder(run, "fedspine"), RunCheckpoint.FileName)));
                }
                else
                {
                    server.Kill();
                }
                output.WriteLine($"stopped the server at round {Loopback.Status(http, url)?.GetProperty("round").GetInt32() ?? -1} (status after the stop: none)");
                output.WriteLine(server.Output);
                server.Dispose();
                Thread.Sleep(500);
                server = new FedspineProcess("server", "--urls", url, "--resume", run, "--tokens", tokens, "--linger", "5");
            }
            Assert.True(server.WaitForExit(Limit) == 0, server.Output);
            foreach (var d in devices)
            {
                Assert.True(d.WaitForExit(Limit) == 0, d.Output);
            }
            output.WriteLine(server.Output);
            output.WriteLine(devices[0].Output);
            return (folder, run);
        }
        finally
        {
            server.Dispose();
            devices.ForEach(d => d.Dispose());
        }
    }

    private void CompareWithSimulation(RunConfig config, string folder, string run)
    {
        string sim = Path.Combine(folder, "sim");
        new SimulationRunner(config, sim).Run();
        string deployed = Path.Combine(SimulationRunner.MethodFolder(run, "fedspine"), RunCheckpoint.FileName);
        string simulated = Path.Combine(SimulationRunner.MethodFolder(sim, "fedspine"), RunCheckpoint.FileName);
        var expected = Loopback.Tensors(simulated, "lora.", "head.");
        var actual = Loopback.Tensors(deployed, "lora.", "head.");
        Assert.Equal(expected.Count, actual.Count);
        Assert.True(expected.Count > 2);
        foreach (var (name, bytes) in expected)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"tensor {name} differs from the simulation's");
        }
        Assert.Equal(File.ReadAllLines(Path.Combine(sim, "metrics.jsonl")).Select(Loopback.WithoutWallTime),
                     File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(Loopback.WithoutWallTime));
        Assert.True(File.Exists(Path.Combine(run, "summary.json")));
        Assert.True(File.Exists(Path.Combine(run, "config.json")));
    }
}
