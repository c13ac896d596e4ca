// What `finetune --task instruct` adds to its outputs: response perplexity per category and ROUGE-L of greedy responses
// on the fixed test sample, before and after tuning, written to instruct.json with a few responses shown.
using System.Globalization;
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Model.Tasks;
using FedSpine.Model.Tokenizers;
using FedSpine.Model.Training;

namespace FedSpine.Cli.Infrastructure;

internal sealed record InstructScores(double Perplexity, IReadOnlyList<(string Category, double Perplexity, long Tokens)> ByCategory,
    double RougeL, IReadOnlyList<InstructResponse> Responses);

internal static class InstructReport
{
    /// <summary>Perplexity (overall and per category) on the task's evaluation set and ROUGE-L on its fixed sample.</summary>
    public static InstructScores Score(InstructTask task, LlamaWeights model, LoraWeights? lora, ITokenizer tokenizer, int batch, int tokens,
        int rougeSamples, int maxNewTokens)
    {
        using var graph = new TrainingGraph(model, lora, null, null, batch, tokens);
        var ppl = InstructTask.Evaluate(graph, task.Eval);
        var responses = task.EvalRecords is { } records && rougeSamples > 0
            ? InstructResponses.Generate(model, lora, tokenizer, records, rougeSamples, maxNewTokens)
            : [];
        return new InstructScores(ppl.Value, ppl.ByCategory(), responses.Count == 0 ? double.NaN : responses.Average(r => r.RougeL), responses);
    }

    public static void Write(string path, InstructScores before, InstructScores after, int shown = 5)
    {
        object Side(InstructScores s) => new
        {
            response_perplexity = s.Perplexity,
            rouge_l = double.IsNaN(s.RougeL) ? (double?)null : s.RougeL,
            rouge_samples = s.Responses.Count,
            per_category = s.ByCategory.ToDictionary(c => c.Category, c => new { perplexity = double.IsNaN(c.Perplexity) ? (double?)null : c.Perplexity, tokens = c.Tokens }),
        };
        var examples = after.Responses.Take(shown).Select((r, i) => new
        {
            instruction = r.Record.Instruction,
            context = r.Record.Context,
            category = r.Record.Category,
            reference = r.Record.Response,
            before = i < before.Responses.Count ? before.Responses[i].Response : null,
            after = r.Response,
        });
        RunOutputs.WriteSummary(path, new { template = "### Instruction:\\n{instruction}\\n\\n[### Context:\\n{context}\\n\\n]### Response:\\n{response}</s>", before = Side(before), after = Side(after), examples });
    }

    public static void Print(InstructScores before, InstructScores after)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.Out.WriteLine(string.Create(inv, $"response perplexity: {before.Perplexity:F3} -> {after.Perplexity:F3}"));
        foreach (var ((category, b, tokens), (_, a, _)) in before.ByCategory.Zip(after.ByCategory))
        {
            Console.Out.WriteLine(string.Create(inv, $"  {category,-24} {b,9:F3} -> {a,9:F3}  ({tokens} tokens)"));
        }
        if (!double.IsNaN(after.RougeL))
        {
            Console.Out.WriteLine(string.Create(inv, $"ROUGE-L F1 of greedy responses: {before.RougeL:F4} -> {after.RougeL:F4} on {after.Responses.Count} test records"));
        }
    }
}
