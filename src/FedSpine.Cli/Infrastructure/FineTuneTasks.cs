// Builds the fine-tuning task a command names: language modelling on text files (lm), classification on a JSONL/CSV/TSV
// file (classify), VADER movie sentiment with its fixed split (vader), or instruction tuning on Dolly/Alpaca JSONL
// (instruct, fixed category-stratified split); classification tasks carry a fresh head.
using FedSpine.Model.Tasks;
using FedSpine.Model.Tokenizers;
using FedSpine.Tensors;

namespace FedSpine.Cli.Infrastructure;

internal sealed record TaskOptions(string Task, string? Data, string? EvalData, int MaxTokens, Pooling Pooling, ulong Seed, int MaxEvalWindows = 64);

internal static class FineTuneTasks
{
    public const string Names = "lm, classify, vader or instruct";

    public static IFineTuneTask Create(TaskOptions o, ITokenizer tokenizer, int hidden)
    {
        string data = o.Data ?? throw new ArgumentException($"--data is required for --task {o.Task}");
        switch (o.Task)
        {
            case "lm":
            {
                var files = TextInputs.Files([data]);
                var (train, heldOut) = LanguageModelDataset.FromFiles(files, tokenizer).SplitTail(0.05);
                var eval = o.EvalData is null ? heldOut : LanguageModelDataset.FromFiles(TextInputs.Files([o.EvalData]), tokenizer);
                return new LanguageModelTask(train, eval, o.MaxEvalWindows);
            }
            case "vader":
            {
                var (train, test) = VaderSentiment.Load(data, o.Seed);
                return Classification(train, test, tokenizer, hidden, o);
            }
            case "instruct":
            {
                var all = InstructDataset.Load(data);
                var (train, test) = o.EvalData is null ? all.Split() : (all, InstructDataset.Load(o.EvalData));
                return new InstructTask(TokenizedInstructSet.Encode(train, tokenizer, o.MaxTokens),
                    TokenizedInstructSet.Encode(test, tokenizer, o.MaxTokens), test);
            }
            case "classify":
            {
                var all = TextClassificationDataset.Load(data);
                var (train, test) = o.EvalData is null ? all.Split(0.2, o.Seed) : (all, TextClassificationDataset.Load(o.EvalData, all.Labels));
                return Classification(train, test, tokenizer, hidden, o);
            }
            default:
                throw new ArgumentException($"unknown --task '{o.Task}' (expected {Names})");
        }
    }

    public static Pooling ParsePooling(string text) => text switch
    {
        "mean" => Pooling.Mean,
        "last" => Pooling.LastToken,
        _ => throw new ArgumentException($"--pooling must be mean or last (got '{text}')"),
    };

    private static ClassificationTask Classification(TextClassificationDataset train, TextClassificationDataset test, ITokenizer tokenizer, int hidden, TaskOptions o)
    {
        var head = new ClassificationHead(hidden, train.ClassCount, new Rng(o.Seed ^ 0x5EED), o.Pooling);
        return new ClassificationTask(head, TokenizedClassificationSet.Encode(train, tokenizer, o.MaxTokens),
            TokenizedClassificationSet.Encode(test, tokenizer, o.MaxTokens));
    }
}
