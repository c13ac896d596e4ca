// `fedspine pretrain`: full-parameter pretraining of a LLaMA model from scratch (or from an HF folder) on text files,
// with checkpoints and --resume; writes the model as an HF folder with its tokenizer, a JSONL log and a summary.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FedSpine.Cli.Infrastructure;
using FedSpine.Model;
using FedSpine.Model.Formats;
using FedSpine.Model.Pretraining;
using FedSpine.Model.Tasks;
using FedSpine.Model.Tokenizers;

namespace FedSpine.Cli.Commands;

internal static class PretrainCommand
{
    private const string LogFileName = "training_log.jsonl";
    private const double HeldOutFraction = 0.01;

    public static Command Create()
    {
        var data = new Option<string[]>("--data") { Description = "training text: files, or folders of .txt files", Required = true, AllowMultipleArgumentsPerToken = true };
        var valData = new Option<string[]?>("--val-data") { Description = "validation text (default: the last 1% of --data's tokens)", AllowMultipleArgumentsPerToken = true };
        var tokenizer = new Option<string>("--tokenizer") { Description = "tokenizer.json (or llama2.c tokenizer.bin); sets the vocabulary", Required = true };
        var output = new Option<string>("--out") { Description = "output folder: checkpoint, log, summary and the final HF model", Required = true };
        var init = new Option<string?>("--init") { Description = "HF folder to continue pretraining from (its shape replaces the shape options)" };
        var defaults = new PretrainConfig();
        var hidden = new Option<int>("--hidden") { DefaultValueFactory = _ => defaults.Hidden };
        var layers = new Option<int>("--layers") { DefaultValueFactory = _ => defaults.Layers };
        var heads = new Option<int>("--heads") { DefaultValueFactory = _ => defaults.Heads };
        var kvHeads = new Option<int>("--kv-heads") { DefaultValueFactory = _ => defaults.KvHeads };
        var ffn = new Option<int>("--ffn") { DefaultValueFactory = _ => defaults.Ffn, Description = "FFN channels (intermediate_size)" };
        var context = new Option<int>("--context") { DefaultValueFactory = _ => defaults.Context, Description = "max_position_embeddings" };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => defaults.Batch };
        var seqLen = new Option<int>("--seq-len") { DefaultValueFactory = _ => defaults.SeqLen, Description = "tokens per training row" };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => defaults.Steps };
        var lr = new Option<float>("--lr") { DefaultValueFactory = _ => defaults.LearningRate, Description = "peak learning rate" };
        var minLr = new Option<float>("--min-lr") { DefaultValueFactory = _ => defaults.MinLearningRate, Description = "learning rate at the last step (cosine)" };
        var warmup = new Option<int>("--warmup") { DefaultValueFactory = _ => defaults.WarmupSteps, Description = "linear warm-up steps" };
        var weightDecay = new Option<float>("--weight-decay") { DefaultValueFactory = _ => defaults.WeightDecay, Description = "AdamW decay of matrices (not embeddings or norms)" };
        var evalEvery = new Option<int>("--eval-every") { DefaultValueFactory = _ => defaults.EvalEvery, Description = "steps between validation perplexities" };
        var checkpointEvery = new Option<int>("--checkpoint-every") { DefaultValueFactory = _ => defaults.CheckpointEvery, Description = "steps between checkpoints" };
        var resume = new Option<bool>("--resume") { Description = "continue from the checkpoint in --out (same settings and data)" };
        var stopAfter = new Option<int?>("--stop-after") { Description = "stop this session after that step (checkpoint kept; continue with --resume)" };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => defaults.Seed };
        var command = new Command("pretrain", "Pretrain a LLaMA model from scratch on text files (warm-up + cosine, clipping, checkpoints, resume)")
        {
            data, valData, tokenizer, output, init, hidden, layers, heads, kvHeads, ffn, context, batch, seqLen, steps, lr, minLr, warmup,
            weightDecay, evalEvery, checkpointEvery, resume, stopAfter, seed,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string outDir = parse.GetValue(output)!;
            string tokenizerPath = parse.GetValue(tokenizer)!;
            var tok = ModelLoader.LoadTokenizer(tokenizerPath);
            var initial = parse.GetValue(init) is { } initDir ? HfModelFolder.Load(initDir, checkFinite: true).Weights : null;
            var config = new PretrainConfig
            {
                Hidden = parse.GetValue(hidden), Layers = parse.GetValue(layers), Heads = parse.GetValue(heads), KvHeads = parse.GetValue(kvHeads),
                Ffn = parse.GetValue(ffn), Vocab = tok.VocabSize, Context = parse.GetValue(context), BosTokenId = tok.BosId, EosTokenId = tok.EosId,
                Batch = parse.GetValue(batch), SeqLen = parse.GetValue(seqLen), Steps = parse.GetValue(steps), LearningRate = parse.GetValue(lr),
                MinLearningRate = parse.GetValue(minLr), WarmupSteps = parse.GetValue(warmup), WeightDecay = parse.GetValue(weightDecay),
                EvalEvery = parse.GetValue(evalEvery), CheckpointEvery = parse.GetValue(checkpointEvery), Seed = parse.GetValue(seed),
            };
            if (initial is not null)
            {
                config = config.WithShapeOf(initial.Config);
                if (config.Vocab != tok.VocabSize)
                {
                    throw new ArgumentException($"--init model has vocab_size {config.Vocab}, the tokenizer {tok.VocabSize}");
                }
            }
            config.Validate();
            string checkpoint = Path.Combine(outDir, Pretrainer.CheckpointFileName);
            bool resuming = parse.GetValue(resume);
            if (!resuming && File.Exists(checkpoint))
            {
                throw new ArgumentException($"{outDir} already holds a pretraining checkpoint; pass --resume to continue it or choose another --out");
            }

            var clock = Stopwatch.StartNew();
            var (train, validation) = Datasets(parse.GetValue(data)!, parse.GetValue(valData), tok);
            Console.Error.WriteLine($"tokenized {train.Count:N0} training and {validation.Count:N0} validation tokens in {clock.Elapsed.TotalSeconds:F1} s");
            var trainer = resuming ? Pretrainer.Resume(checkpoint, config, train, validation) : Pretrainer.Start(config, train, validation, initial);
            Directory.CreateDirectory(outDir);
            string logPath = Path.Combine(outDir, LogFileName);
            TrimLog(logPath, trainer.Step);
            Console.Error.WriteLine($"model: {trainer.Model.ParameterCount:N0} parameters; {(resuming ? $"resuming at step {trainer.Step}" : "from " + (initial is null ? "scratch" : parse.GetValue(init)))}");

            int startStep = trainer.Step;
            int until = Math.Min(parse.GetValue(stopAfter) ?? config.Steps, config.Steps);
            if (until <= startStep && until < config.Steps)
            {
                throw new ArgumentException($"--stop-after {until} is not past the checkpoint's step {startStep}");
            }
            var progress = new ProgressBar("pretrain", config.Steps, "steps");
            using (var log = new StreamWriter(logPath, append: true))
            {
                trainer.Run(until, outDir, r =>
                {
                    log.WriteLine(JsonSerializer.Serialize(new
                    {
                        step = r.Step, loss = r.Loss, lr = r.LearningRate, grad_norm = r.GradientNorm, tokens_per_s = r.TokensPerSecond,
                        val_loss = r.ValidationLoss, val_ppl = r.ValidationPerplexity,
                    }));
                    if (r.CheckpointWritten)
                    {
                        log.Flush(); // the log never lags a checkpoint it could be resumed from
                    }
                    if (r.ValidationPerplexity is { } ppl)
                    {
                        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {r.Step}: val ppl {ppl:F2} (loss {r.ValidationLoss:F4})"));
                    }
                    progress.Report(r.Step, string.Create(CultureInfo.InvariantCulture,
                        $"loss {r.Loss:F3} lr {r.LearningRate:G3} {r.TokensPerSecond:F0} tok/s"), r.Step - startStep);
                });
            }
            if (trainer.Step < config.Steps)
            {
                Console.Out.WriteLine($"stopped at step {trainer.Step} of {config.Steps}; {Pretrainer.CheckpointFileName} in {outDir}; continue with --resume");
                return 0;
            }

            HfModelFolder.Save(outDir, trainer.Model);
            string tokenizerCopy = Path.Combine(outDir, "tokenizer.json");
            if (tokenizerPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                if (Path.GetFullPath(tokenizerPath) != Path.GetFullPath(tokenizerCopy))
                {
                    File.Copy(tokenizerPath, tokenizerCopy, overwrite: true);
                }
            }
            else
            {
                RunOutputs.AsHf(tok).Save(tokenizerCopy);
            }
            double finalPpl = Math.Exp(trainer.LastValidationLoss!.Value), bestPpl = Math.Exp(trainer.BestValidationLoss!.Value);
            RunOutputs.WriteSummary(Path.Combine(outDir, "pretrain_summary.json"), new
            {
                steps = trainer.Step,
                tokens_seen = trainer.TokensSeen,
                train_tokens = train.Count,
                validation_tokens = validation.Count,
                final_val_ppl = finalPpl,
                best_val_ppl = bestPpl,
                final_val_loss = trainer.LastValidationLoss,
                train_seconds = trainer.TrainSeconds,
                tokens_per_s = trainer.TokensSeen / Math.Max(trainer.TrainSeconds, 1e-9),
                parameters = trainer.Model.ParameterCount,
                config,
            });
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"final val ppl {finalPpl:F2} (best {bestPpl:F2}); {trainer.TokensSeen:N0} tokens in {trainer.TrainSeconds:F0} s of training"));
            Console.Out.WriteLine($"wrote {outDir} (config.json, model.safetensors, tokenizer.json, {LogFileName}, pretrain_summary.json, {Pretrainer.CheckpointFileName})");
            return 0;
        }));
        return command;
    }

    /// <summary>Training and validation token streams: --val-data when given, else the last 1% of --data.</summary>
    private static (LanguageModelDataset Train, LanguageModelDataset Validation) Datasets(string[] data, string[]? valData, ITokenizer tokenizer)
    {
        var all = LanguageModelDataset.FromFiles(TextInputs.Files(data), tokenizer);
        return valData is { Length: > 0 }
            ? (all, LanguageModelDataset.FromFiles(TextInputs.Files(valData), tokenizer))
            : all.SplitTail(HeldOutFraction);
    }

    /// <summary>Drops log lines past the step a run (re)starts from, so a resumed run's log has each step once.</summary>
    private static void TrimLog(string path, int step)
    {
        if (!File.Exists(path))
        {
            return;
        }
        var kept = File.ReadAllLines(path)
            .Where(line => line.Length > 0 && JsonDocument.Parse(line).RootElement.GetProperty("step").GetInt32() <= step)
            .ToList();
        File.WriteAllLines(path, kept);
    }
}
