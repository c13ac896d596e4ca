// Token streams and configs for pretraining tests: a seeded synthetic stream (learnable, no ../shared needed) and
// Austen's Persuasion tokenized with the 512-token llama2.c tokenizer.
using FedSpine.Model.Pretraining;
using FedSpine.Model.Tasks;
using FedSpine.Model.Tokenizers;
using FedSpine.Tensors;

namespace FedSpine.Model.Tests.Pretraining;

internal static class PretrainCorpora
{
    /// <summary>A small model and short run: 2 layers, grouped-query heads, tied embeddings.</summary>
    public static PretrainConfig TinyConfig(int vocab, int steps) => new()
    {
        Hidden = 32, Layers = 2, Heads = 4, KvHeads = 2, Ffn = 44, Vocab = vocab, Context = 32,
        Batch = 4, SeqLen = 16, Steps = steps, LearningRate = 3e-3f, MinLearningRate = 3e-4f, WarmupSteps = 2,
        EvalEvery = 4, CheckpointEvery = 6, Seed = 5,
    };

    /// <summary>ids in [0, vocab): mostly next = (3·prev + 1) mod vocab, one id in eight random.</summary>
    public static LanguageModelDataset Synthetic(int vocab, int count, ulong seed)
    {
        var rng = new Rng(seed);
        var tokens = new int[count];
        for (int i = 1; i < count; i++)
        {
            tokens[i] = rng.NextInt(8) == 0 ? rng.NextInt(vocab) : (3 * tokens[i - 1] + 1) % vocab;
        }
        return new LanguageModelDataset(tokens, $"synthetic({seed})");
    }

    /// <summary>The first paragraphs of Persuasion (about 60k tokens), BOS-separated.</summary>
    public static (LanguageModelDataset Tokens, int Vocab) Austen()
    {
        var tokenizer = Llama2cTokenizer.Load(SharedData.Tok512);
        var ids = new List<int>();
        foreach (string paragraph in SharedData.AustenParagraphs("persuasion").Take(600))
        {
            ids.AddRange(tokenizer.Encode(paragraph, bos: true, eos: false));
        }
        return (new LanguageModelDataset(ids.ToArray(), "persuasion"), tokenizer.VocabSize);
    }
}
