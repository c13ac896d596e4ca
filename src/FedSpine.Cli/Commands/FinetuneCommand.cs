// `fedspine finetune`: LoRA fine-tuning on a task (language modelling, classification, VADER sentiment), optionally
// pruning to a target sparsity on a schedule while tuning (prune-and-tune); writes models, adapter, mask and summary.
using System.CommandLine;
using System.Diagnostics;
using FedSpine.Cli.Infrastructure;
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Model.Tasks;
using FedSpine.Model.Training;
using FedSpine.Pruning;
using FedSpine.Tensors;

namespace FedSpine.Cli.Commands;

internal static class FinetuneCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "llama2.c .bin or HF folder", Required = true };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "tokenizer.bin or tokenizer.json (optional for an HF folder with tokenizer.json)" };
        var task = new Option<string>("--task") { Description = $"task: {FineTuneTasks.Names}", DefaultValueFactory = _ => "lm" };
        var data = new Option<string?>("--data") { Description = "training data: text file(s)/folder (lm), JSONL/CSV/TSV (classify), the VADER file (vader), Dolly/Alpaca JSONL (instruct)" };
        var evalData = new Option<string?>("--eval-data") { Description = "evaluation data (default: a held-out part of --data)" };
        var rank = new Option<int>("--rank") { DefaultValueFactory = _ => 8, Description = "LoRA rank" };
        var alpha = new Option<float>("--alpha") { DefaultValueFactory = _ => 16f, Description = "LoRA alpha (scale alpha/rank)" };
        var targets = new Option<string>("--targets") { DefaultValueFactory = _ => "q,k,v,o,gate,up,down", Description = "modules with adapters" };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 300, Description = "LoRA steps in all (pruning and recovery included)" };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 16 };
        var seqLen = new Option<int>("--seq-len") { DefaultValueFactory = _ => 64, Description = "tokens per row (classification: max tokens per example)" };
        var lr = new Option<float>("--lr") { DefaultValueFactory = _ => 1e-3f, Description = "AdamW learning rate" };
        var sparsity = new Option<double>("--sparsity") { DefaultValueFactory = _ => 0, Description = "fraction of heads and FFN channels to remove (0 = dense LoRA)" };
        var schedule = new Option<string>("--schedule") { DefaultValueFactory = _ => "cubic", Description = "cubic, fixed or one-shot" };
        var interval = new Option<int>("--interval") { DefaultValueFactory = _ => 20, Description = "LoRA steps between prunes (τ)" };
        var recovery = new Option<int?>("--recovery-steps") { Description = "steps after the last prune (default: a third of --steps)" };
        var importance = new Option<string>("--importance") { DefaultValueFactory = _ => "lora", Description = "lora, taylor or magnitude" };
        var pooling = new Option<string>("--pooling") { DefaultValueFactory = _ => "mean", Description = "classification pooling: mean or last" };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 1UL };
        var rougeSamples = new Option<int>("--rouge-samples") { DefaultValueFactory = _ => 100, Description = "instruct: test records whose greedy responses are scored with ROUGE-L (0 = none)" };
        var maxNewTokens = new Option<int>("--max-new-tokens") { DefaultValueFactory = _ => 64, Description = "instruct: most tokens of each greedy response" };
        var output = new Option<string>("--out") { Description = "output folder", Required = true };
        var command = new Command("finetune", "LoRA fine-tuning, optionally with structured pruning to a target sparsity (prune-and-tune)")
        {
            model, tokenizer, task, data, evalData, rank, alpha, targets, steps, batch, seqLen, lr, sparsity, schedule, interval, recovery, importance, pooling, seed, rougeSamples, maxNewTokens, output,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var loaded = ModelLoader.Load(parse.GetValue(model)!, parse.GetValue(tokenizer));
            int n = parse.GetValue(steps), tokens = parse.GetValue(seqLen);
            double target = parse.GetValue(sparsity);
            var settings = new PruneAndTuneSettings
            {
                Schedule = Schedules.Create(parse.GetValue(schedule)!, target, n, parse.GetValue(interval), parse.GetValue(recovery)),
                Targets = parse.GetValue(targets)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(LoraTargets.Parse).ToArray(),
                Rank = parse.GetValue(rank),
                Alpha = parse.GetValue(alpha),
                Optimizer = new AdamWSettings(LearningRate: parse.GetValue(lr), WeightDecay: 0f),
                Batch = parse.GetValue(batch),
                Tokens = tokens,
                Seed = parse.GetValue(seed),
            };
            var fineTuneTask = FineTuneTasks.Create(new TaskOptions(parse.GetValue(task)!, parse.GetValue(data), parse.GetValue(evalData), tokens,
                FineTuneTasks.ParsePooling(parse.GetValue(pooling)!), parse.GetValue(seed)), loaded.Tokenizer!, loaded.Weights.Config.HiddenSize);
            var instruct = fineTuneTask as InstructTask;
            var instructBefore = instruct is null ? null : InstructReport.Score(instruct, loaded.Weights, null, loaded.Tokenizer!, settings.Batch, tokens,
                parse.GetValue(rougeSamples), parse.GetValue(maxNewTokens));
            var run = new PruneAndTune(loaded.Weights, fineTuneTask, ImportanceEstimators.Create(parse.GetValue(importance)!), settings);
            var clock = Stopwatch.StartNew();
            var progress = new ProgressBar("finetune", settings.Schedule.TotalSteps, "steps");
            var result = run.Run(p => progress.Report(p.Step, $"loss {p.Loss:F3} pruned {p.Sparsity.PrunableSparsity:P0}"));
            var eval = fineTuneTask.Evaluate(new TrainingGraph(result.Model, result.Lora, null, null, settings.Batch, tokens));
            string outDir = parse.GetValue(output)!;
            RunOutputs.SaveFineTuned(outDir, result.Model, result.Lora, loaded.Tokenizer, result.Mask, fineTuneTask);
            var summary = new
            {
                task = parse.GetValue(task),
                metric = eval.Metric,
                value = eval.Value,
                eval_loss = eval.Loss,
                eval_count = eval.Count,
                steps = settings.Schedule.TotalSteps,
                final_train_loss = result.Losses[^1],
                target_ratio = target,
                prunable_sparsity = result.Sparsity.PrunableSparsity,
                overall_sparsity = result.Sparsity.OverallSparsity,
                parameters = result.Model.ParameterCount,
                original_parameters = loaded.Weights.ParameterCount,
                lora_parameters = result.Lora.ParameterCount,
                seconds = clock.Elapsed.TotalSeconds,
            };
            RunOutputs.WriteSummary(Path.Combine(outDir, "summary.json"), summary);
            if (instruct is not null)
            {
                var instructAfter = InstructReport.Score(instruct, result.Model, result.Lora, loaded.Tokenizer!, settings.Batch, tokens,
                    parse.GetValue(rougeSamples), parse.GetValue(maxNewTokens));
                InstructReport.Write(Path.Combine(outDir, "instruct.json"), instructBefore!, instructAfter);
                InstructReport.Print(instructBefore!, instructAfter);
            }
            Console.Out.WriteLine($"{eval.Metric}: {eval.Value:F4} on {eval.Count} eval {(eval.Metric == "perplexity" ? "tokens" : "examples")} (loss {eval.Loss:F4})");
            Console.Out.WriteLine($"sparsity: {result.Sparsity}");
            Console.Out.WriteLine($"parameters: {result.Model.ParameterCount:N0} (was {loaded.Weights.ParameterCount:N0}); LoRA {result.Lora.ParameterCount:N0}");
            Console.Out.WriteLine($"time: {clock.Elapsed.TotalSeconds:F1} s; wrote {outDir} (model/, base/, adapter/, mask.json, summary.json)");
            return 0;
        }));
        return command;
    }
}
