// A tokenizer as GGUF's "llama" (SentencePiece-style) vocabulary: token texts ("▁" for spaces, "<0xHH>" bytes), scores and
// token types, padded with unused "[PADi]" tokens up to the model's vocab_size as llama.cpp's converter does.
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Formats;

public sealed record GgufVocabulary(string[] Tokens, float[] Scores, int[] Types, int BosId, int EosId, int? UnknownId)
{
    // llama.cpp's llama_token_type numbers.
    public const int Normal = 1;
    public const int Unknown = 2;
    public const int Control = 3;
    public const int UserDefined = 4;
    public const int Unused = 5;
    public const int Byte = 6;

    /// <summary>The score llama.cpp's converter gives tokens without a SentencePiece score (HF tokenizer.json, padding).</summary>
    public const float NoScore = -1000f;

    /// <summary>The vocabulary of a llama2.c or HF tokenizer, padded to <paramref name="vocabSize"/> entries.</summary>
    public static GgufVocabulary From(ITokenizer tokenizer, int vocabSize)
    {
        if (tokenizer.VocabSize > vocabSize)
        {
            throw new ArgumentException($"the tokenizer has {tokenizer.VocabSize} tokens but the model's vocab_size is {vocabSize}");
        }
        // llama2.c pieces are spelled the HF way (▁ for spaces, <s> without newlines) through the HF conversion; their
        // SentencePiece scores are kept. An HF tokenizer.json carries merges, not scores: NoScore, as llama.cpp's converter.
        var (hf, scoreOf) = tokenizer switch
        {
            Llama2cTokenizer l => (HfTokenizer.FromLlama2c(l), (Func<int, float>)l.Score),
            HfTokenizer { IsByteLevel: true } => throw new ArgumentException(
                "GGUF export of a byte-level BPE tokenizer (GPT-2, Llama 3, Qwen) is not supported: llama.cpp would read it as a SentencePiece vocabulary; export --format hf instead"),
            HfTokenizer h => (h, _ => NoScore),
            _ => throw new ArgumentException($"GGUF export supports llama2.c and HF tokenizers, not {tokenizer.GetType().Name}"),
        };
        var added = hf.AddedTokens.ToDictionary(a => a.Id);
        var tokens = new string[vocabSize];
        var scores = new float[vocabSize];
        var types = new int[vocabSize];
        int? unknownId = null;
        for (int id = 0; id < vocabSize; id++)
        {
            string? text = id < hf.VocabSize ? TokenOrNull(hf, id) : null;
            if (text is null)
            {
                (tokens[id], scores[id], types[id]) = ($"[PAD{id}]", NoScore, Unused);
                continue;
            }
            tokens[id] = text;
            scores[id] = scoreOf(id);
            types[id] = text == "<unk>" ? Unknown
                : added.TryGetValue(id, out var a) ? (a.Special ? Control : UserDefined)
                : ByteToken.TryParse(text, out _) ? Byte
                : Normal;
            unknownId ??= types[id] == Unknown ? id : null;
        }
        return new GgufVocabulary(tokens, scores, types, tokenizer.BosId, tokenizer.EosId, unknownId);
    }

    /// <summary>HfTokenizer has no "does this id exist" accessor; ids absent from its vocab throw, which means unused here.</summary>
    private static string? TokenOrNull(HfTokenizer tokenizer, int id)
    {
        try
        {
            return tokenizer.Token(id);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
