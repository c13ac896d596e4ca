// What a deployed server of an instruct run evaluates when it holds the data and a tokenizer: each slot's model (the base
// sliced to the mask the device last reported + the global LoRA, as the device deploys it) scored by response perplexity
// on the run's fixed global test set (its eval_examples sample for the curve, all of it at the end), per category and own category.
using FedSpine.Federated.Rounds;
using FedSpine.Federated.Runs;
using FedSpine.Model;
using FedSpine.Model.Tasks;
using FedSpine.Model.Tokenizers;
using FedSpine.Pruning;

namespace FedSpine.Deploy.Server;

public sealed class ServerInstructEvaluation
{
    private readonly LlamaWeights _base;
    private readonly TokenizedInstructSet _test;      // the whole global test set
    private readonly TokenizedInstructSet _sample;    // the curve's fixed sample of it
    private readonly IReadOnlyList<int[]> _own;       // [devices]: category indices of each device's data

    private ServerInstructEvaluation(LlamaWeights weights, TokenizedInstructSet test, TokenizedInstructSet sample, IReadOnlyList<int[]> own)
    {
        _base = weights;
        _test = test;
        _sample = sample;
        _own = own;
    }

    /// <summary>The evaluation of config's instruct data (the same split and partition as simulate), or null when the server
    /// has no data file or no tokenizer (then the run reports the devices' local perplexity only).</summary>
    public static ServerInstructEvaluation? TryCreate(RunConfig config, LlamaWeights weights, ITokenizer? tokenizer, int devices, int maxTokens)
    {
        if (config.Data is null || tokenizer is null)
        {
            return null;
        }
        var (train, test) = FederatedInstructData.LoadTask(config);
        var own = FederatedInstructData.DeviceIndices(config, train, devices)
            .Select(p => p.Train.Concat(p.Test).Select(i => train.CategoryOf[i]).Distinct().Order().ToArray()).ToList();
        var encoded = TokenizedInstructSet.Encode(test, tokenizer, maxTokens);
        int[] sample = MethodRun.SampleIndices(encoded.Count, config.EvalExamples);
        var curve = sample.Length == encoded.Count ? encoded : encoded.Subset(sample, $"{encoded.Source} (sample of {sample.Length})");
        return new ServerInstructEvaluation(weights, encoded, curve, own);
    }

    /// <summary>1/perplexity of the slots' models together on the curve's sample (what the round loop records).</summary>
    public double CurveScore(FederatedServer server, LocalTrainingSettings local) =>
        1 / InstructFinalEvaluation.MeanPerplexity(Score(server, _sample, local));

    /// <summary>The result's perplexity fields from the slots' models on the whole global test set.</summary>
    public MethodResult Final(FederatedServer server, MethodResult result, LocalTrainingSettings local) =>
        InstructFinalEvaluation.WithPerplexities(result, server.Slots.Select(s => s.Id).ToList(), Score(server, _test, local), _own, _test);

    private ResponsePerplexity[] Score(FederatedServer server, TokenizedInstructSet test, LocalTrainingSettings local)
    {
        var masks = server.Slots.Select(s => s.Mask).ToList();
        return InstructFinalEvaluation.Perplexities(server, server.Slots.Select(s => s.Id).ToList(), masks,
            i => ModelSlicer.Slice(_base, masks[i]), test, local with { Tokens = test.MaxTokens });
    }
}
