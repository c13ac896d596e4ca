// ROUGE-L of greedy responses on a fixed seeded sample of an instruct test set (the same records for every method and
// seed), with the responses kept so reports can show a few of them.
using FedSpine.Model.Lora;
using FedSpine.Model.Tokenizers;
using FedSpine.Tensors;

namespace FedSpine.Model.Tasks;

public sealed record InstructResponse(InstructRecord Record, string Response, double RougeL);

public static class InstructResponses
{
    /// <summary>Seed of the fixed ROUGE-L sample.</summary>
    public const ulong SampleSeed = 0x0DE1;

    /// <summary>Indices of a fixed sample of n of count records (a seeded shuffle's first n, in index order; all when n ≥ count).</summary>
    public static int[] Sample(int count, int n, ulong seed = SampleSeed)
    {
        var order = Enumerable.Range(0, count).ToArray();
        var rng = new Rng(seed);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order.Take(Math.Min(n, count)).Order().ToArray();
    }

    /// <summary>Greedy responses (at most maxNewTokens each) to the sampled records and their ROUGE-L F1 against the
    /// reference responses.</summary>
    public static IReadOnlyList<InstructResponse> Generate(LlamaWeights model, LoraWeights? lora, ITokenizer tokenizer,
        InstructDataset test, int samples, int maxNewTokens)
    {
        var result = new List<InstructResponse>();
        foreach (int i in Sample(test.Count, samples))
        {
            var record = test.Records[i];
            string text = InstructGenerator.Respond(model, tokenizer, record.Instruction, record.Context, maxNewTokens, lora).Text;
            result.Add(new InstructResponse(record, text, RougeL.F1(text, record.Response)));
        }
        return result;
    }
}
