// Bad uploads are named and rejected before they touch the global state: each corruption of an otherwise valid report
// gives a message saying what is wrong, and the valid report passes.
using FedSpine.Federated.Rounds;
using FedSpine.Pruning;

namespace FedSpine.Federated.Tests.Rounds;

public sealed class UploadValidatorTests
{
    private static readonly GlobalLora Global = EngineFixtures.Global();
    private static readonly RoundTask Task = EngineFixtures.Task(Global, PruningMask.Full(EngineFixtures.Shapes));

    [Fact]
    public void A_valid_upload_passes() => Assert.Null(UploadValidator.Check(EngineFixtures.Report(Task), Task, Global));

    public static TheoryData<string, string> Corruptions => new()
    {
        { "nan-in-A", "NaN or infinite" },
        { "inf-in-B", "NaN or infinite" },
        { "nan-head", "head holds NaN" },
        { "wrong-shape", "factors A" },
        { "wrong-rank", "rank 3" },
        { "negative-rank", "rank -1" },
        { "missing-module", "LoRA modules" },
        { "repeated-module", "repeated module" },
        { "old-round", "round 0" },
        { "other-device", "device 5" },
        { "mask-out-of-range", "pruning mask of layer 0" },
        { "mask-grows", "already pruned" },
        { "short-head", "head has" },
        { "zero-samples", "sample count" },
        { "nan-loss", "loss after" },
        { "negative-time", "upload time" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void Each_corruption_is_named(string corruption, string expected)
    {
        var full = PruningMask.Full(EngineFixtures.Shapes);
        var pruned = EngineFixtures.PrunedMask();
        // a task on the pruned mask, to check a report that keeps more than it was sent
        var prunedTask = EngineFixtures.Task(Global, pruned);
        var r = EngineFixtures.Report(Task);
        var task = Task;
        var f0 = r.Factors[0];
        switch (corruption)
        {
            case "nan-in-A": f0.A[3] = float.NaN; break;
            case "inf-in-B": r.Factors[4].B[0] = float.PositiveInfinity; break;
            case "nan-head": r.HeadBias[1] = float.NaN; break;
            case "wrong-shape": r = r with { Factors = [f0 with { A = f0.A[..^1] }, .. r.Factors.Skip(1)] }; break;
            case "wrong-rank": r = r with { Factors = [f0 with { Rank = 3 }, .. r.Factors.Skip(1)] }; break;
            case "negative-rank": r = r with { Factors = [f0 with { Rank = -1 }, .. r.Factors.Skip(1)] }; break;
            case "missing-module": r = r with { Factors = r.Factors.Skip(1).ToList() }; break;
            case "repeated-module": r = r with { Factors = [f0, f0, .. r.Factors.Skip(2)] }; break;
            case "old-round": r = r with { Round = 0 }; break;
            case "other-device": r = r with { DeviceId = 5 }; break;
            case "mask-out-of-range":
                r = r with { Mask = new PruningMask([new LayerMask(4, 2, 37, [0, 1, 9], full.Layers[0].Channels), full.Layers[1]]) };
                break;
            case "mask-grows": task = prunedTask; r = EngineFixtures.Report(Task) with { Round = prunedTask.Round }; break;
            case "short-head": r = r with { HeadWeight = r.HeadWeight[..^2] }; break;
            case "zero-samples": r = r with { SampleCount = 0 }; break;
            case "nan-loss": r = r with { LossAfter = double.NaN }; break;
            case "negative-time": r = r with { UploadSeconds = -1 }; break;
            default: throw new ArgumentException(corruption);
        }
        string? message = UploadValidator.Check(r, task, Global);
        Assert.NotNull(message);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }
}
