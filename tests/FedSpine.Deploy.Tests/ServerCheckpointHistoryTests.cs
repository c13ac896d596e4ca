// A server run keeps its last K round checkpoints; `--resume DIR --from-round N` continues from round N and ends exactly
// as the uninterrupted run; a poisoned round is rolled back (its checkpoint holds the previous round's tensors) and the
// run can be resumed from before it; wall_s adds up over sessions. Devices are scripted (deterministic nudges of the task).
using FedSpine.Deploy.Server;
using FedSpine.Federated.Rounds;
using FedSpine.Federated.Runs;

namespace FedSpine.Deploy.Tests;

public sealed class ServerCheckpointHistoryTests
{
    private sealed class NudgingDevices(int? poisonRound = null) : IDeviceTransport
    {
        public IReadOnlyList<DeviceReport?> Exchange(IReadOnlyList<RoundTask> tasks) => tasks.Select(t =>
        {
            float step = 0.01f * (t.DeviceId + 1) * t.Round;
            var report = EchoDevice.Echo(t) with
            {
                Factors = t.Factors.Select(f => f with { B = f.B.Select((v, i) => v + step * ((i % 3) - 1)).ToArray() }).ToList(),
                HeadBias = t.HeadBias.Select(v => v + step).ToArray(),
            };
            return t.Round == poisonRound && t.DeviceId == 1
                ? UploadAttack.Parse("value:3e38").Apply(report) with { SampleCount = int.MaxValue }
                : report;
        }).ToList<DeviceReport?>();

        public void Dropped(int deviceId, int round, string reason)
        {
        }
    }

    private static RunConfig Config(string folder, int keep, bool bounded = true) => new()
    {
        Model = TinyDeployment.SaveTinyModel(folder),
        Task = "classify",
        Devices = "3 agx",
        Rounds = 4,
        LocalSteps = 1,
        Methods = ["fedspine"],
        MinDevices = 1,
        SaveModels = false,
        KeepCheckpoints = keep,
        ClipMultiple = bounded ? 4 : 0,
        WeightCapMultiple = bounded ? 3 : 0,
    };

    private static Dictionary<string, byte[]> Tensors(string path) => Loopback.Tensors(path, "lora.", "head.");

    [Fact]
    public void The_last_K_checkpoints_are_kept_and_from_round_resumes_to_the_same_end()
    {
        string folder = Loopback.TempFolder("history");
        string runFolder = Path.Combine(folder, "run");
        var first = ServerRun.Start(Config(folder, keep: 2), runFolder, 3, ["negative", "positive"]);
        first.Run(new NudgingDevices());
        Assert.Equal([3, 4], CheckpointHistory.Rounds(first.MethodFolder));
        var expected = Tensors(first.CheckpointPath);
        Assert.Equal(expected, Tensors(CheckpointHistory.PathOf(first.MethodFolder, 4)));
        Assert.NotEqual(expected, Tensors(CheckpointHistory.PathOf(first.MethodFolder, 3)));
        var metrics = File.ReadAllLines(first.MetricsPath).Select(Loopback.WithoutWallTime).ToList();

        var missing = Assert.Throws<ArgumentException>(() => ServerRun.Resume(runFolder, fromRound: 1));
        Assert.Contains("keeps no checkpoint of round 1 (kept rounds: 3, 4)", missing.Message, StringComparison.Ordinal);

        var resumed = ServerRun.Resume(runFolder, fromRound: 3);
        Assert.Equal(3, resumed.Server.Round);
        Assert.Equal([3], CheckpointHistory.Rounds(resumed.MethodFolder));
        resumed.Run(new NudgingDevices());
        Assert.Equal(expected, Tensors(resumed.CheckpointPath));
        Assert.Equal(metrics, File.ReadAllLines(resumed.MetricsPath).Select(Loopback.WithoutWallTime));
    }

    [Fact]
    public void A_poisoned_round_is_rolled_back_and_the_run_resumes_from_before_it()
    {
        string folder = Loopback.TempFolder("rollback");
        string runFolder = Path.Combine(folder, "run");
        var run = ServerRun.Start(Config(folder, keep: 4, bounded: false), runFolder, 3, ["negative", "positive"]);
        var result = run.Run(new NudgingDevices(poisonRound: 3));

        Assert.Null(result.Curve[1].RolledBack);
        Assert.Contains("round 3 rolled back", result.Curve[2].RolledBack, StringComparison.Ordinal);
        Assert.EndsWith("devices in it: 0, 1, 2", result.Curve[2].RolledBack, StringComparison.Ordinal);
        Assert.Equal(Tensors(CheckpointHistory.PathOf(run.MethodFolder, 2)), Tensors(CheckpointHistory.PathOf(run.MethodFolder, 3)));
        Assert.All(Tensors(run.CheckpointPath).Values, bytes =>
            Assert.All(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes).ToArray(), v => Assert.True(float.IsFinite(v))));
        Assert.Contains(File.ReadLines(run.MetricsPath), l => l.Contains("\"status\":\"rolled-back\"", StringComparison.Ordinal));

        var again = ServerRun.Resume(runFolder, fromRound: 2);
        Assert.Equal(2, again.Server.Round);
        var clean = again.Run(new NudgingDevices());
        Assert.All(clean.Curve, p => Assert.Null(p.RolledBack));
        Assert.NotEqual(Tensors(CheckpointHistory.PathOf(again.MethodFolder, 2)), Tensors(again.CheckpointPath));
    }

    [Fact]
    public void Wall_seconds_add_up_across_resumes()
    {
        string folder = Loopback.TempFolder("wall");
        string runFolder = Path.Combine(folder, "run");
        var first = ServerRun.Start(Config(folder, keep: 3), runFolder, 3, ["negative", "positive"]);
        first.Run(new NudgingDevices());
        double before = ReadWall(CheckpointHistory.PathOf(first.MethodFolder, 2));
        Assert.True(before > 0, "the checkpoint records no wall time");
        var resumed = ServerRun.Resume(runFolder, fromRound: 2);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var result = resumed.Run(new NudgingDevices());
        Assert.InRange(result.WallSeconds, before, before + watch.Elapsed.TotalSeconds + 1e-6);
        Assert.True(result.WallSeconds > before);
    }

    private static double ReadWall(string checkpoint)
    {
        using var file = FedSpine.Model.Formats.SafeTensorsFile.Open(checkpoint);
        using var doc = System.Text.Json.JsonDocument.Parse(file.Metadata["fedspine_state"]);
        return doc.RootElement.GetProperty("wall_s").GetDouble();
    }
}
