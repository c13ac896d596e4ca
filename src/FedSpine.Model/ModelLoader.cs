// Opens a model and its tokenizer from what a user names: a llama2.c .bin checkpoint or a Hugging Face folder, and a
// tokenizer.bin (llama2.c) or tokenizer.json (HF) — the folder's own tokenizer.json when none is named. Commands that do
// not need text (requireTokenizer: false) go on without a folder tokenizer they cannot read, keeping its path to copy.
using FedSpine.Model.Formats;
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model;

public sealed record LoadedModel(LlamaWeights Weights, ITokenizer? Tokenizer, string Source)
{
    /// <summary>The tokenizer file named or found in the folder (read or not); null when there is none.</summary>
    public string? TokenizerFile { get; init; }

    /// <summary>Why the folder's tokenizer file was not read (Tokenizer is then null); null when it was read or absent.</summary>
    public string? TokenizerProblem { get; init; }
}

public static class ModelLoader
{
    /// <summary>The model's weights only: its tokenizer is not looked at (bench, servers that carry no text). With
    /// <paramref name="bf16"/> the weights are held in bf16 (an HF folder is read tensor by tensor into bf16; a llama2.c
    /// file is read in fp32 first).</summary>
    public static LlamaWeights LoadWeights(string modelPath, bool bf16 = false) =>
        Directory.Exists(modelPath) ? HfModelFolder.Load(modelPath, bf16: bf16).Weights
        : File.Exists(modelPath) ? (bf16 ? Llama2cCheckpoint.Load(modelPath).Weights.HoldFrozenInBf16() : Llama2cCheckpoint.Load(modelPath).Weights)
        : throw new FileNotFoundException($"model not found: '{modelPath}' is neither a Hugging Face folder nor a llama2.c .bin file");

    /// <summary>Model and tokenizer; <paramref name="bf16"/> holds the weights in bf16 as LoadWeights does.</summary>
    public static LoadedModel Load(string modelPath, string? tokenizerPath, bool requireTokenizer = true, bool bf16 = false)
    {
        LlamaWeights weights;
        string? defaultTokenizer = null;
        if (Directory.Exists(modelPath))
        {
            weights = HfModelFolder.Load(modelPath, bf16: bf16).Weights;
            string candidate = Path.Combine(modelPath, "tokenizer.json");
            defaultTokenizer = File.Exists(candidate) ? candidate : null;
        }
        else if (File.Exists(modelPath))
        {
            weights = Llama2cCheckpoint.Load(modelPath).Weights;
            weights = bf16 ? weights.HoldFrozenInBf16() : weights;
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
        ITokenizer tokenizer;
        try
        {
            tokenizer = LoadTokenizer(path);
        }
        catch (Exception e) when (!requireTokenizer && tokenizerPath is null && e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // Only the folder's own file is optional: a --tokenizer the user named must be readable.
            return new LoadedModel(weights, null, modelPath) { TokenizerFile = path, TokenizerProblem = e.Message };
        }
        // Qwen2.5 and others pad vocab_size beyond the tokenizer (rows for ids no text produces); fewer rows is an error.
        if (tokenizer.VocabSize > weights.Config.VocabSize)
        {
            throw new InvalidDataException($"{path}: tokenizer has {tokenizer.VocabSize} tokens but the model '{modelPath}' has only vocab_size {weights.Config.VocabSize}");
        }
        return new LoadedModel(weights, tokenizer, modelPath) { TokenizerFile = path };
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
