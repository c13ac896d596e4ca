// Evaluates what the devices would deploy: each device's model = its pruned base + the global LoRA at its last rank,
// merged, with the global head; accuracy on a global test set (devices in parallel), decode latency, optional HF folders.
using System.Diagnostics;
using FedSpine.Federated.Rounds;
using FedSpine.Model;
using FedSpine.Model.Formats;
using FedSpine.Model.Inference;
using FedSpine.Model.Lora;
using FedSpine.Model.Tasks;
using FedSpine.Model.Tokenizers;
using FedSpine.Model.Training;
using FedSpine.Pruning;
using FedSpine.Tensors;

namespace FedSpine.Federated.Runs;

public sealed record DeviceFinal(int Device, double Accuracy, double LatencyMsPerToken, long Parameters, SparsityReport Sparsity);

/// <summary>The final device models, and per test example the share of the devices' models that classify it right
/// (the unit a paired comparison of methods resamples).</summary>
public sealed record FinalScores(IReadOnlyList<DeviceFinal> Devices, double[] ExampleAccuracy);

public static class FinalEvaluation
{
    public const int LatencyTokens = 32;

    /// <summary>Every device's accuracy on <paramref name="test"/> with the current global state (devices in parallel;
    /// devices with the same kept units and rank hold the same model, which is evaluated once).</summary>
    public static double[] Accuracies(FederatedServer server, IReadOnlyList<DeviceRuntime> devices, TokenizedClassificationSet test,
        LocalTrainingSettings local) =>
        Score(server, devices, i => DeviceModel(server, devices[i], local), test, local).Devices;

    /// <summary>Accuracy of every device, and per test example the share of devices that classify it right, scoring each
    /// distinct deployed model once (modelOf builds device i's model).</summary>
    private static (double[] Devices, double[] Examples) Score(FederatedServer server, IReadOnlyList<DeviceRuntime> devices,
        Func<int, (LlamaWeights Model, ClassificationHead Head)> modelOf, TokenizedClassificationSet test, LocalTrainingSettings local)
    {
        int[] twin = SameModelAs(server, devices);
        var distinct = Enumerable.Range(0, devices.Count).Where(i => twin[i] == i).ToArray();
        var correct = new bool[devices.Count][];   // [device][example], filled for distinct models
        WorkerPool.For(distinct.Length, k =>
        {
            int i = distinct[k];
            var (model, head) = modelOf(i);
            correct[i] = new bool[test.Count];
            Accuracy(model, head, test, local, correct[i]);
        });
        var accuracy = new double[devices.Count];
        var examples = new double[test.Count];
        for (int i = 0; i < devices.Count; i++)
        {
            var row = correct[twin[i]];
            int right = 0;
            for (int j = 0; j < row.Length; j++)
            {
                if (row[j])
                {
                    right++;
                    examples[j] += 1.0 / devices.Count;
                }
            }
            accuracy[i] = (double)right / test.Count;
        }
        return (accuracy, examples);
    }

    /// <summary>For each device, the first device whose deployed model is the same (same mask and same rank).</summary>
    internal static int[] SameModelAs(FederatedServer server, IReadOnlyList<DeviceRuntime> devices) =>
        SameModelAs(server, devices.Select(d => d.Id).ToList(), devices.Select(d => d.Mask).ToList());

    /// <summary>For each of the slots (ids) with their masks, the first whose deployed model is the same (same mask and rank).</summary>
    internal static int[] SameModelAs(FederatedServer server, IReadOnlyList<int> ids, IReadOnlyList<PruningMask> masks)
    {
        int Rank(int i) => server.Slots[ids[i]].LastRank > 0 ? server.Slots[ids[i]].LastRank : server.Global.Rank;
        var twin = new int[ids.Count];
        for (int i = 0; i < ids.Count; i++)
        {
            twin[i] = i;
            for (int j = 0; j < i; j++)
            {
                if (twin[j] == j && Rank(j) == Rank(i) && masks[j].Equals(masks[i]))
                {
                    twin[i] = j;
                    break;
                }
            }
        }
        return twin;
    }

    /// <summary>The final device models: accuracy, latency, sizes; saved as HF folders when saveFolder is given.</summary>
    public static FinalScores Run(FederatedServer server, IReadOnlyList<DeviceRuntime> devices, TokenizedClassificationSet test,
        LocalTrainingSettings local, ITokenizer tokenizer, string? saveFolder)
    {
        var (accuracy, examples) = Score(server, devices, i => DeviceModel(server, devices[i], local), test, local);
        var results = new List<DeviceFinal>();
        for (int i = 0; i < devices.Count; i++)
        {
            var (model, head) = DeviceModel(server, devices[i], local);
            results.Add(new DeviceFinal(devices[i].Id, accuracy[i], DecodeLatency(model, tokenizer.BosId), model.ParameterCount,
                SparsityReport.Measure(model.Config, devices[i].Mask)));
            if (saveFolder is not null)
            {
                Save(Path.Combine(saveFolder, $"device-{devices[i].Id:D2}"), model, head, devices[i].Mask, tokenizer);
            }
        }
        return new FinalScores(results, examples);
    }

    /// <summary>The device's pruned base with the global LoRA (its last rank, or the global rank before it trained) merged,
    /// and the global head.</summary>
    public static (LlamaWeights Model, ClassificationHead Head) DeviceModel(FederatedServer server, DeviceRuntime device,
        LocalTrainingSettings local)
    {
        var model = MergedModel(server, device, local);
        var head = new ClassificationHead(model.Config.HiddenSize, server.Global.Classes, new Rng(1), local.Pooling);
        server.Global.HeadWeight.CopyTo(head.Weight.Span);
        server.Global.HeadBias.CopyTo(head.Bias.Span);
        return (model, head);
    }

    /// <summary>The device's pruned base with the global LoRA (its last rank, or the global rank before it trained) merged.</summary>
    public static LlamaWeights MergedModel(FederatedServer server, DeviceRuntime device, LocalTrainingSettings local) =>
        MergedModel(server, device.Id, device.Mask, device.CurrentModel(), local);

    /// <summary>Slot id's model: prunedBase (the base sliced to mask, which this merges into and returns) with the global
    /// LoRA at the slot's last rank (or the global rank before it trained).</summary>
    public static LlamaWeights MergedModel(FederatedServer server, int id, PruningMask mask, LlamaWeights prunedBase, LocalTrainingSettings local)
    {
        var slot = server.Slots[id];
        int rank = slot.LastRank > 0 ? slot.LastRank : server.Global.Rank;
        float alpha = local.Adapter.Alpha(rank);
        var lora = LoraWeights.Allocate(prunedBase.Config, mask.Shapes, local.Adapter.RankPerModule(rank), alpha);
        foreach (var f in server.Global.SliceFor(mask, rank, alpha))
        {
            var adapter = lora[f.Layer, f.Target]!;
            f.A.CopyTo(adapter.A.Span);
            f.B.CopyTo(adapter.B.Span);
        }
        lora.MergeInto(prunedBase);
        return prunedBase;
    }

    /// <summary>Rows per evaluation batch: wider than a training batch, since forward-only matrix products run faster
    /// on more rows and evaluation has no optimizer state to fit.</summary>
    public const int EvalBatch = 32;

    internal static double Accuracy(LlamaWeights model, ClassificationHead head, TokenizedClassificationSet test, LocalTrainingSettings local,
        Span<bool> correct = default) =>
        BucketedAccuracy.Evaluate(model, head, test, Math.Max(local.Batch, EvalBatch), local.Tokens, correct);

    /// <summary>Milliseconds per token of decoding (each argmax fed back) after one warm-up step.</summary>
    internal static double DecodeLatency(LlamaWeights model, int bos)
    {
        int tokens = Math.Min(LatencyTokens, model.Config.MaxPositionEmbeddings);
        var decoder = new CachedDecoder(model, null, tokens);
        decoder.Step(bos, 0);
        var watch = Stopwatch.StartNew();
        int token = bos;
        for (int p = 0; p < tokens; p++)
        {
            var logits = decoder.Step(token, p);
            token = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits);
        }
        return watch.Elapsed.TotalMilliseconds / tokens;
    }

    private static void Save(string folder, LlamaWeights model, ClassificationHead head, PruningMask mask, ITokenizer tokenizer)
    {
        HfModelFolder.Save(folder, model);
        (tokenizer as HfTokenizer ?? HfTokenizer.FromLlama2c((Llama2cTokenizer)tokenizer)).Save(Path.Combine(folder, "tokenizer.json"));
        mask.Save(Path.Combine(folder, "mask.json"));
        SafeTensorsFile.Write(Path.Combine(folder, "head.safetensors"),
            head.Parameters.Select(p => new KeyValuePair<string, Tensor>(p.Name, p.Value)).ToList());
    }
}
