// A run stopped after round k and resumed from its checkpoint ends exactly where an uninterrupted run does: the same
// summary, the same per-device metrics and the same final global LoRA, bit for bit (with and without server momentum).
using FedSpine.Federated.Runs;

namespace FedSpine.Federated.Tests.Runs;

public sealed class ResumeTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.8)]   // server momentum: its velocity must travel in the checkpoint
    public void Stopped_and_resumed_run_equals_the_uninterrupted_run(double serverMomentum)
    {
        var config = TinyRuns.Spam("fedspine", "uniform-prune") with { ServerMomentum = serverMomentum };
        string whole = TinyRuns.TempFolder("whole");
        string split = TinyRuns.TempFolder("split");
        var expected = new SimulationRunner(config, whole).Run()!;

        Assert.Null(new SimulationRunner(config, split).Run(stopAfterRound: 1));
        var resumed = new SimulationRunner(SimulationRunner.LoadConfig(split), split).Run()!;

        Assert.Equal(expected.Select(Comparable), resumed.Select(Comparable));
        Assert.Equal(File.ReadAllLines(Path.Combine(whole, "metrics.jsonl")).Select(WithoutWallTime),
                     File.ReadAllLines(Path.Combine(split, "metrics.jsonl")).Select(WithoutWallTime));
        foreach (string method in config.Methods)
        {
            Assert.Equal(TensorBytes(whole, method), TensorBytes(split, method));
        }
        Assert.True(expected[0].FinalSparsity > 0.4, $"fedspine ended at sparsity {expected[0].FinalSparsity}");
    }

    // Wall-clock fields are measured, not simulated; everything else (the accuracy curve included) must match exactly.
    private static string Comparable(MethodResult r) =>
        System.Text.Json.JsonSerializer.Serialize(r with { WallSeconds = 0, LatencyMsPerToken = 0 });

    private static string WithoutWallTime(string line) =>
        System.Text.RegularExpressions.Regex.Replace(line, "\"wall_s\":[^,}]*", "\"wall_s\":0");

    private static byte[] TensorBytes(string folder, string method)
    {
        byte[] all = File.ReadAllBytes(Path.Combine(SimulationRunner.MethodFolder(folder, method), RunCheckpoint.FileName));
        long headerLength = BitConverter.ToInt64(all, 0);
        return all[(int)(8 + headerLength)..];   // tensor data only; the JSON state carries measured wall times
    }
}
