// `fedspine eval`: perplexity of a model on text, or accuracy on a classification set with a trained head
// (head.safetensors from `fedspine finetune`); an optional PEFT adapter is applied unmerged.
using System.CommandLine;
using FedSpine.Cli.Infrastructure;
using FedSpine.Model;
using FedSpine.Model.Formats;
using FedSpine.Model.Lora;
using FedSpine.Model.Training;

namespace FedSpine.Cli.Commands;

internal static class EvalCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "llama2.c .bin or HF folder", Required = true };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "tokenizer.bin or tokenizer.json (optional for an HF folder with tokenizer.json)" };
        var adapter = new Option<string?>("--adapter") { Description = "PEFT adapter folder to apply" };
        var head = new Option<string?>("--head") { Description = "classification head (head.safetensors from finetune); required for classify/vader" };
        var task = new Option<string>("--task") { DefaultValueFactory = _ => "lm", Description = $"task: {FineTuneTasks.Names}" };
        var data = new Option<string?>("--data") { Description = "text file(s)/folder (lm: evaluated whole), JSONL/CSV/TSV (classify: its held-out split), VADER file (vader: its test split)" };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 16 };
        var seqLen = new Option<int>("--seq-len") { DefaultValueFactory = _ => 64, Description = "tokens per window (lm) or per example (classification)" };
        var pooling = new Option<string>("--pooling") { DefaultValueFactory = _ => "mean" };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 1UL, Description = "the split seed used in finetune" };
        var command = new Command("eval", "Perplexity on text, response perplexity on an instruct set, or accuracy on a classification set")
        {
            model, tokenizer, adapter, head, task, data, batch, seqLen, pooling, seed,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var loaded = ModelLoader.Load(parse.GetValue(model)!, parse.GetValue(tokenizer));
            LoraWeights? lora = parse.GetValue(adapter) is string dir ? PeftAdapter.Load(dir, loaded.Weights) : null;
            string taskName = parse.GetValue(task)!;
            var options = new TaskOptions(taskName, parse.GetValue(data), taskName == "lm" ? parse.GetValue(data) : null, parse.GetValue(seqLen),
                FineTuneTasks.ParsePooling(parse.GetValue(pooling)!), parse.GetValue(seed), MaxEvalWindows: int.MaxValue);
            var fineTuneTask = FineTuneTasks.Create(options, loaded.Tokenizer!, loaded.Weights.Config.HiddenSize);
            if (fineTuneTask.Parameters.Count > 0)
            {
                string headPath = parse.GetValue(head) ?? throw new ArgumentException($"--task {taskName} needs --head (head.safetensors written by finetune)");
                using var file = SafeTensorsFile.Open(headPath);
                foreach (var (name, value, _) in fineTuneTask.Parameters)
                {
                    var stored = file.Read(name);
                    if (!stored.SameShape(value.Shape))
                    {
                        throw new InvalidDataException($"{headPath}: '{name}' is {stored}, the task needs {value}");
                    }
                    stored.Span.CopyTo(value.Span);
                }
            }
            var result = fineTuneTask.Evaluate(new TrainingGraph(loaded.Weights, lora, null, null, parse.GetValue(batch), parse.GetValue(seqLen)));
            Console.Out.WriteLine($"{result.Metric}: {result.Value:F4} (mean loss {result.Loss:F4} over {result.Count} {(taskName is "lm" or "instruct" ? "tokens" : "examples")})");
            return 0;
        }));
        return command;
    }
}
