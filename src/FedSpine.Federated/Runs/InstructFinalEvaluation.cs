// The instruct task's evaluation of what the devices would deploy (pruned base + global LoRA merged; no head): response
// perplexity on a global test set per device (lower is better; distinct models scored once, in parallel), per category and
// on each device's own categories, ROUGE-L of greedy responses on a fixed sample, decode latency, sizes, HF folders when asked.
using FedSpine.Federated.Rounds;
using FedSpine.Model;
using FedSpine.Model.Formats;
using FedSpine.Model.Tasks;
using FedSpine.Model.Tokenizers;
using FedSpine.Model.Training;
using FedSpine.Pruning;
using FedSpine.Tensors;

namespace FedSpine.Federated.Runs;

public sealed record InstructDeviceFinal(int Device, ResponsePerplexity Perplexity, double RougeL, double LatencyMsPerToken, long Parameters,
    SparsityReport Sparsity, IReadOnlyList<InstructResponse> Responses);

public static class InstructFinalEvaluation
{
    /// <summary>Most new tokens of each greedy response scored with ROUGE-L.</summary>
    public const int ResponseTokens = 64;

    /// <summary>Each device's response perplexity on test with the current global state (devices with the same kept units
    /// and rank hold the same model, scored once).</summary>
    public static ResponsePerplexity[] Perplexities(FederatedServer server, IReadOnlyList<DeviceRuntime> devices, TokenizedInstructSet test,
        LocalTrainingSettings local) =>
        Perplexities(server, devices.Select(d => d.Id).ToList(), devices.Select(d => d.Mask).ToList(), i => devices[i].CurrentModel(), test, local);

    /// <summary>Response perplexity on test of each slot's model (ids with their masks; prunedBase(i) slices the base to
    /// masks[i]), as the devices would deploy it; the server of a deployment scores with this, holding no DeviceRuntime.</summary>
    public static ResponsePerplexity[] Perplexities(FederatedServer server, IReadOnlyList<int> ids, IReadOnlyList<PruningMask> masks,
        Func<int, LlamaWeights> prunedBase, TokenizedInstructSet test, LocalTrainingSettings local)
    {
        int[] twin = FinalEvaluation.SameModelAs(server, ids, masks);
        var distinct = Enumerable.Range(0, ids.Count).Where(i => twin[i] == i).ToArray();
        var scores = new ResponsePerplexity[ids.Count];
        WorkerPool.For(distinct.Length, k =>
        {
            int i = distinct[k];
            var model = FinalEvaluation.MergedModel(server, ids[i], masks[i], prunedBase(i), local);
            using var graph = new TrainingGraph(model, null, null, null, Math.Max(local.Batch, FinalEvaluation.EvalBatch), local.Tokens);
            scores[i] = InstructTask.Evaluate(graph, test);
        });
        return Enumerable.Range(0, ids.Count).Select(i => scores[twin[i]]).ToArray();
    }

    /// <summary>Perplexity of the devices together: exp of the mean over devices of each one's mean response loss.</summary>
    public static double MeanPerplexity(IReadOnlyList<ResponsePerplexity> devices) => Math.Exp(devices.Average(d => d.MeanLoss));

    /// <summary>The perplexity fields of a method's result from each device's response perplexity on the whole global test
    /// set and its own categories (indices into test.Categories): final (exp of the mean device loss), device range, per
    /// category, per device, per example; accuracy fields hold 1/perplexity.</summary>
    public static MethodResult WithPerplexities(MethodResult result, IReadOnlyList<int> ids, IReadOnlyList<ResponsePerplexity> devices,
        IReadOnlyList<int[]> own, TokenizedInstructSet test)
    {
        double perplexity = MeanPerplexity(devices);
        var categories = test.Categories.Select((c, k) => (c, k)).Where(x => devices[0].CountOf(x.k) > 0)
            .ToDictionary(x => x.c, x => Math.Exp(devices.Average(f => Math.Log(f.OfCategory(x.k)))));
        return result with
        {
            Metric = MethodResult.PerplexityMetric,
            FinalPerplexity = perplexity,
            MinDevicePerplexity = devices.Min(f => f.Value),
            MaxDevicePerplexity = devices.Max(f => f.Value),
            CategoryPerplexity = categories,
            FinalAccuracy = 1 / perplexity,
            MinDeviceAccuracy = 1 / devices.Max(f => f.Value),
            MaxDeviceAccuracy = 1 / devices.Min(f => f.Value),
            FinalExamples = test.Count,
            DevicePerplexity = devices.Select((f, i) => new DevicePerplexity(ids[i], own[i].Select(c => test.Categories[c]).ToList(),
                RoundPoint.Finite(f.OfCategories(own[i])), f.Value)).ToList(),
            ExampleLoss = Enumerable.Range(0, test.Count).Select(j => devices.Average(f => f.ExampleLoss[j])).ToList(),
        };
    }

    /// <summary>The final device models: perplexity (overall and per category) on the whole test set, ROUGE-L of greedy
    /// responses to rougeSamples fixed test records, latency, sizes; saved as HF folders when saveFolder is given.</summary>
    public static IReadOnlyList<InstructDeviceFinal> Run(FederatedServer server, IReadOnlyList<DeviceRuntime> devices, TokenizedInstructSet test,
        InstructDataset testRecords, int rougeSamples, LocalTrainingSettings local, ITokenizer tokenizer, string? saveFolder)
    {
        var perplexities = Perplexities(server, devices, test, local);
        int[] twin = FinalEvaluation.SameModelAs(server, devices);
        var responses = new IReadOnlyList<InstructResponse>[devices.Count];
        var results = new List<InstructDeviceFinal>();
        for (int i = 0; i < devices.Count; i++)
        {
            var model = FinalEvaluation.MergedModel(server, devices[i], local);
            responses[i] = twin[i] != i ? responses[twin[i]] : rougeSamples <= 0 ? []
                : InstructResponses.Generate(model, null, tokenizer, testRecords, rougeSamples, ResponseTokens);
            double rouge = responses[i].Count == 0 ? double.NaN : responses[i].Average(r => r.RougeL);
            results.Add(new InstructDeviceFinal(devices[i].Id, perplexities[i], rouge, FinalEvaluation.DecodeLatency(model, tokenizer.BosId),
                model.ParameterCount, SparsityReport.Measure(model.Config, devices[i].Mask), responses[i]));
            if (saveFolder is not null)
            {
                string folder = Path.Combine(saveFolder, $"device-{devices[i].Id:D2}");
                HfModelFolder.Save(folder, model);
                (tokenizer as HfTokenizer ?? HfTokenizer.FromLlama2c((Llama2cTokenizer)tokenizer)).Save(Path.Combine(folder, "tokenizer.json"));
                devices[i].Mask.Save(Path.Combine(folder, "mask.json"));
            }
        }
        return results;
    }
}
