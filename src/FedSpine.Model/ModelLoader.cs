// Opens a model and its tokenizer from what a user names: a llama2.c .bin checkpoint or a Hugging Face folder, and a
// tokenizer.bin (llama2.c) or tokenizer.json (HF) — the folder's own tokenizer.json when none is named.
using FedSpine.Model.Formats;
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model;

public sealed record LoadedModel(LlamaWeights Weights, ITokenizer? Tokenizer, string Source);

public static class ModelLoader
{
    public static LoadedModel Load(string modelPath, string? tokenizerPath, bool requireTokenizer = true)
    {
        LlamaWeights weights;
        string? defaultTokenizer = null;
        if (Directory.Exists(modelPath))
        {
            weights = HfModelFolder.Load(modelPath).Weights;
            string candidate = Path.Combine(modelPath, "tokenizer.json");
            defaultTokenizer = File.Exists(candidate) ? candidate : null;
        }
        else if (File.Exists(modelPath))
        {
            weights = Llama2cCheckpoint.Load(modelPath).Weights;
        }
        else
        {
            throw new FileNotFoundException($"model not found: '{modelPath}' is neither a Hugging Face folder nor a llama2.c .bin file");
        }
        string? path = tokenizerPath ?? defaultTokenizer;
        if (path is null)
        {
            if (requireTokenizer)
            {
                throw new ArgumentException($"{modelPath}: no tokenizer.json in the model; pass --tokenizer (tokenizer.bin or tokenizer.json)");
            }
            return new LoadedModel(weights, null, modelPath);
        }
        var tokenizer = LoadTokenizer(path);
        // Qwen2.5 and others pad vocab_size beyond the tokenizer (rows for ids no text produces); fewer rows is an error.
        if (tokenizer.VocabSize > weights.Config.VocabSize)
        {
            throw new InvalidDataException($"{path}: tokenizer has {tokenizer.VocabSize} tokens but the model '{modelPath}' has only vocab_size {weights.Config.VocabSize}");
        }
        return new LoadedModel(weights, tokenizer, modelPath);
    }

    /// <summary>tokenizer.json (by extension) as HF BPE; anything else as llama2.c tokenizer.bin.</summary>
    public static ITokenizer LoadTokenizer(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"tokenizer not found: '{path}'");
        }
        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? HfTokenizer.Load(path) : Llama2cTokenizer.Load(path);
    }
}
