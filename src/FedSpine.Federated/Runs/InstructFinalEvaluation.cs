// The instruct task's evaluation of what the devices would deploy (pruned base + global LoRA merged; no head): response
// perplexity on a global test set per device (lower is better; distinct models scored once, in parallel) and per category,
// ROUGE-L of greedy responses on a fixed sample, decode latency, sizes, and HF folders when asked.
using FedSpine.Federated.Rounds;
using FedSpine.Model;
using FedSpine.Model.Formats;
using FedSpine.Model.Tasks;
using FedSpine.Model.Tokenizers;
using FedSpine.Model.Training;
using FedSpine.Pruning;
using FedSpine.Tensors;

namespace FedSpine.Federated.Runs;

/// <param name="OwnPerplexity">Response perplexity on the test records of the device's own categories (NaN when none).</param>
public sealed record InstructDeviceFinal(int Device, ResponsePerplexity Perplexity, double OwnPerplexity, double RougeL, double LatencyMsPerToken,
    long Parameters, SparsityReport Sparsity, IReadOnlyList<InstructResponse> Responses);

public static class InstructFinalEvaluation
{
    /// <summary>Most new tokens of each greedy response scored with ROUGE-L.</summary>
    public const int ResponseTokens = 64;

    /// <summary>Each device's response perplexity on test with the current global state (devices with the same kept units
    /// and rank hold the same model, scored once).</summary>
    public static ResponsePerplexity[] Perplexities(FederatedServer server, IReadOnlyList<DeviceRuntime> devices, TokenizedInstructSet test,
        LocalTrainingSettings local)
    {
        int[] twin = FinalEvaluation.SameModelAs(server, devices);
        var distinct = Enumerable.Range(0, devices.Count).Where(i => twin[i] == i).ToArray();
        var scores = new ResponsePerplexity[devices.Count];
        WorkerPool.For(distinct.Length, k =>
        {
            int i = distinct[k];
            var model = FinalEvaluation.MergedModel(server, devices[i], local);
            using var graph = new TrainingGraph(model, null, null, null, Math.Max(local.Batch, FinalEvaluation.EvalBatch), local.Tokens);
            scores[i] = InstructTask.Evaluate(graph, test);
        });
        return Enumerable.Range(0, devices.Count).Select(i => scores[twin[i]]).ToArray();
    }

    /// <summary>The final device models: perplexity (overall, per category, and on the device's own categories, indices
    /// into test.Categories per device) on the whole test set, ROUGE-L of greedy responses to rougeSamples fixed test records,
    /// latency, sizes; saved as HF folders when saveFolder is given.</summary>
    public static IReadOnlyList<InstructDeviceFinal> Run(FederatedServer server, IReadOnlyList<DeviceRuntime> devices, TokenizedInstructSet test,
        IReadOnlyList<int[]> ownCategories, InstructDataset testRecords, int rougeSamples, LocalTrainingSettings local, ITokenizer tokenizer,
        string? saveFolder)
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
            results.Add(new InstructDeviceFinal(devices[i].Id, perplexities[i], perplexities[i].OfCategories(ownCategories[i]), rouge, FinalEvaluation.DecodeLatency(model, tokenizer.BosId),
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
