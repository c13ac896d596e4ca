// Writes what a fine-tune or prune run hands the user: the merged (and pruned) model as a standard HF folder with its
// tokenizer, the adapter as a PEFT folder beside the unmerged base it applies to, the mask, a task head, a summary.
using System.Text.Json;
using FedSpine.Model;
using FedSpine.Model.Formats;
using FedSpine.Model.Lora;
using FedSpine.Model.Tasks;
using FedSpine.Model.Tokenizers;
using FedSpine.Pruning;
using FedSpine.Tensors;

namespace FedSpine.Cli.Infrastructure;

internal static class RunOutputs
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>HF folder of weights with the loaded model's tokenizer (see SaveTokenizer).</summary>
    public static void SaveModel(string folder, LlamaWeights weights, LoadedModel source)
    {
        HfModelFolder.Save(folder, weights);
        PerLayerShapeNote.Print(weights);
        SaveTokenizer(folder, source);
    }

    /// <summary>The loaded model's tokenizer as folder/tokenizer.json: written from the tokenizer when it was read, copied
    /// unchanged (with a warning) when the model folder's file could not be read; a tokenizer_config.json beside a
    /// tokenizer.json source comes along, since BOS and EOS are named there.</summary>
    public static void SaveTokenizer(string folder, LoadedModel source)
    {
        string target = Path.Combine(folder, "tokenizer.json");
        if (source.Tokenizer is { } tokenizer)
        {
            AsHf(tokenizer).Save(target);
        }
        else if (source.TokenizerFile is { } file)
        {
            Console.Error.WriteLine($"warning: the model's tokenizer was not read ({source.TokenizerProblem}); copied it unchanged");
            CopyUnlessSame(file, target);
        }
        if (source.TokenizerFile is { } json && json.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            && Path.Combine(Path.GetDirectoryName(Path.GetFullPath(json))!, "tokenizer_config.json") is var config && File.Exists(config))
        {
            CopyUnlessSame(config, Path.Combine(folder, "tokenizer_config.json"));
        }
    }

    private static void CopyUnlessSame(string from, string to)
    {
        if (!string.Equals(Path.GetFullPath(from), Path.GetFullPath(to), StringComparison.Ordinal))
        {
            File.Copy(from, to, overwrite: true);
        }
    }

    /// <summary>HF folder of weights (+ tokenizer.json when a tokenizer is known).</summary>
    public static void SaveModel(string folder, LlamaWeights weights, ITokenizer? tokenizer)
    {
        HfModelFolder.Save(folder, weights);
        PerLayerShapeNote.Print(weights);
        if (tokenizer is not null)
        {
            AsHf(tokenizer).Save(Path.Combine(folder, "tokenizer.json"));
        }
    }

    /// <summary>out/model (merged), out/base + out/adapter (PEFT on the unmerged base), mask.json and head.safetensors.</summary>
    public static void SaveFineTuned(string outDir, LlamaWeights model, LoraWeights lora, ITokenizer? tokenizer, PruningMask mask, IFineTuneTask task)
    {
        Directory.CreateDirectory(outDir);
        string baseDir = Path.Combine(outDir, "base");
        SaveModel(baseDir, model, tokenizer);
        PeftAdapter.Save(Path.Combine(outDir, "adapter"), lora, "../base");
        var merged = model.Clone();
        lora.MergeInto(merged);
        SaveModel(Path.Combine(outDir, "model"), merged, tokenizer);
        mask.Save(Path.Combine(outDir, "mask.json"));
        if (task.Parameters.Count > 0)
        {
            SafeTensorsFile.Write(Path.Combine(outDir, "head.safetensors"),
                task.Parameters.Select(p => new KeyValuePair<string, Tensor>(p.Name, p.Value)).ToList());
        }
    }

    public static void WriteSummary(string path, object summary) =>
        File.WriteAllText(path, JsonSerializer.Serialize(summary, Indented) + "\n");

    public static HfTokenizer AsHf(ITokenizer tokenizer) =>
        tokenizer as HfTokenizer ?? HfTokenizer.FromLlama2c((Llama2cTokenizer)tokenizer);
}
