// Simulated devices share the one frozen base: between rounds a device holds its mask and statistics, no model copy,
// and re-slicing its copy from the base each round gives exactly what keeping the copy did (metrics, results, models).
using System.Text.Json;
using System.Text.RegularExpressions;
using FedSpine.Federated.Devices;
using FedSpine.Federated.Rounds;
using FedSpine.Federated.Runs;
using FedSpine.Federated.Tests.Runs;
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Model.Training;
using FedSpine.Pruning;
using FedSpine.Tensors;

namespace FedSpine.Federated.Tests.Rounds;

public sealed class SharedBaseTests
{
    [Fact]
    public void Idle_devices_hold_no_model_and_released_copies_change_nothing()
    {
        var config = TinyRuns.Spam("fedspine");
        var loaded = ModelLoader.Load(config.Model, config.Tokenizer, requireTokenizer: true);
        var released = Run(config, loaded, keep: false);
        var kept = Run(config, loaded, keep: true);

        Assert.Equal(File.ReadAllLines(released.MetricsPath).Select(WithoutWallTime), File.ReadAllLines(kept.MetricsPath).Select(WithoutWallTime));
        Assert.Equal(Comparable(released.ResultPath), Comparable(kept.ResultPath));
        Assert.Contains(released.Devices, d => d.Importance.Updates > 0 && !d.Mask.Equals(PruningMask.Full(loaded.Weights.LayerShapes)));
        for (int i = 0; i < released.Devices.Count; i++)
        {
            Assert.Equal(released.Devices[i].Mask, kept.Devices[i].Mask);
            Assert.True(Bytes(released.Devices[i].CurrentModel()).AsSpan().SequenceEqual(Bytes(kept.Devices[i].CurrentModel())),
                $"device {i}: final pruned bases differ");
        }

        long limit = loaded.Weights.ParameterCount / 100;   // a pruned copy holds most of the embedding's 1M floats
        foreach (var device in released.Devices)
        {
            var held = ReachableObjects.From(device, loaded.Weights);
            Assert.DoesNotContain(held, o => o is LlamaWeights or LoraWeights or TrainingGraph or PruneAndTune or Tensor);
            Assert.True(ReachableObjects.FloatCount(held) < limit, $"idle device {device.Id} holds {ReachableObjects.FloatCount(held)} floats");
        }
        // The walk does see a copy where one is kept (so the check above is not vacuous).
        Assert.Contains(kept.Devices, d => ReachableObjects.From(d, loaded.Weights).OfType<LlamaWeights>().Any());
    }

    private static MethodRun Run(RunConfig config, LoadedModel loaded, bool keep)
    {
        var plan = RunPlan.From(config);
        var profiles = plan.Profiles;
        var data = FederatedData.Create(config, loaded.Tokenizer!, profiles.Count);
        var run = new MethodRun(plan, MethodCatalog.Get("fedspine", config), loaded.Weights, loaded.Tokenizer!, data,
            TinyRuns.TempFolder(keep ? "kept" : "released"));
        foreach (var device in run.Devices)
        {
            device.KeepModelBetweenRounds = keep;
        }
        var transport = new InProcessTransport(run.Devices.Select(d => new SimulatedDevice(d, profiles[d.Id], config.Seed)));
        Assert.NotNull(run.Run(transport));
        return run;
    }

    private static byte[] Bytes(LlamaWeights model)
    {
        var stream = new MemoryStream();
        foreach (var (_, tensor) in model.NamedTensors)
        {
            stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(tensor.Span));
        }
        return stream.ToArray();
    }

    // Wall-clock fields are measured, not simulated; everything else must match exactly.
    private static string Comparable(string resultPath) =>
        JsonSerializer.Serialize(JsonSerializer.Deserialize<MethodResult>(File.ReadAllText(resultPath))! with { WallSeconds = 0, LatencyMsPerToken = 0 });

    private static string WithoutWallTime(string line) => Regex.Replace(line, "\"wall_s\":[^,}]*", "\"wall_s\":0");
}
