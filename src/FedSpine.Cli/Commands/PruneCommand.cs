// `fedspine prune`: one-shot structured pruning of heads and FFN channels by importance (magnitude needs no data;
// lora and taylor calibrate on a few batches of --data), written as a standard, smaller HF folder.
using System.CommandLine;
using FedSpine.Cli.Infrastructure;
using FedSpine.Model;
using FedSpine.Model.Tasks;
using FedSpine.Pruning;

namespace FedSpine.Cli.Commands;

internal static class PruneCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "llama2.c .bin or HF folder", Required = true };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "tokenizer.bin or tokenizer.json (copied into the output as tokenizer.json)" };
        var sparsity = new Option<double>("--sparsity") { Description = "fraction of heads and FFN channels to remove in every layer", Required = true };
        var importance = new Option<string>("--importance") { DefaultValueFactory = _ => "magnitude", Description = "magnitude, taylor or lora" };
        var task = new Option<string>("--task") { DefaultValueFactory = _ => "lm", Description = $"calibration task for taylor/lora: {FineTuneTasks.Names}" };
        var data = new Option<string?>("--data") { Description = "calibration data (needed for taylor and lora)" };
        var batches = new Option<int>("--calibration-batches") { DefaultValueFactory = _ => 16 };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 8 };
        var seqLen = new Option<int>("--seq-len") { DefaultValueFactory = _ => 64 };
        var exclude = new Option<string?>("--exclude-layers") { Description = "comma-separated layer indexes to leave unpruned" };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 1UL };
        var output = new Option<string>("--out") { Description = "output folder (HF model)", Required = true };
        var command = new Command("prune", "Remove the least important attention heads and FFN channels; writes a smaller standard HF folder")
        {
            model, tokenizer, sparsity, importance, task, data, batches, batch, seqLen, exclude, seed, output,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var loaded = ModelLoader.Load(parse.GetValue(model)!, parse.GetValue(tokenizer), requireTokenizer: false);
            var estimator = ImportanceEstimators.Create(parse.GetValue(importance)!);
            var options = new PruningOptions { ExcludedLayers = ParseLayers(parse.GetValue(exclude)) };
            double ratio = parse.GetValue(sparsity);
            options.Validate(loaded.Weights.Layers.Count);
            UnitCountPlanner.PlanShapes(loaded.Weights.LayerShapes, loaded.Weights.LayerShapes, ratio, options, ratio); // fails early
            IFineTuneTask? calibration = null;
            if (parse.GetValue(data) is string path)
            {
                var tok = loaded.Tokenizer ?? throw new ArgumentException("--data needs a tokenizer (--tokenizer, or tokenizer.json in the model folder)"
                    + (loaded.TokenizerProblem is { } problem ? $"; the folder's tokenizer could not be read: {problem}" : ""));
                calibration = FineTuneTasks.Create(new TaskOptions(parse.GetValue(task)!, path, null, parse.GetValue(seqLen), Pooling.Mean, parse.GetValue(seed)),
                    tok, loaded.Weights.Config.HiddenSize);
            }
            var scores = ImportanceCalibration.Score(loaded.Weights, estimator, calibration, parse.GetValue(batches), parse.GetValue(batch),
                parse.GetValue(seqLen), parse.GetValue(seed));
            var pruned = StructuredPruner.Prune(loaded.Weights, scores, ratio, options);
            string outDir = parse.GetValue(output)!;
            RunOutputs.SaveModel(outDir, pruned.Weights, loaded);
            pruned.Mask.Save(Path.Combine(outDir, "mask.json"));
            var c = pruned.Weights.Config;
            Console.Out.WriteLine($"pruned {loaded.Source} with {estimator.Name} importance: {pruned.Sparsity}");
            Console.Out.WriteLine($"shape: {c.NumAttentionHeads} heads, {c.NumKeyValueHeads} kv heads, intermediate {c.IntermediateSize}; parameters {pruned.Weights.ParameterCount:N0} (was {loaded.Weights.ParameterCount:N0})");
            Console.Out.WriteLine($"wrote {outDir}");
            return 0;
        }));
        return command;
    }

    private static int[] ParseLayers(string? text) => text is null
        ? []
        : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.TryParse(s, out int v) ? v : throw new ArgumentException($"--exclude-layers: '{s}' is not a layer index")).ToArray();
}
