// A tokenizer as a GGUF vocabulary llama.cpp tokenizes exactly as we do: SentencePiece-style ones as its "llama" model
// (scores order the merges: llama2.c's own scores, or minus the merge rank of a tokenizer.json), byte-level ones as "gpt2".
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Formats;

/// <summary>tokenizer.ggml.*: the model ("llama" or "gpt2"), pre-tokenizer type (gpt2 only), tokens padded to vocab_size with
/// unused "[PADi]", scores (llama only), token types, merges "left right" in rank order (gpt2 only), BOS/EOS/unknown ids.</summary>
public sealed record GgufVocabulary(string Model, string? PreTokenizer, string[] Tokens, float[]? Scores, int[] Types, string[]? Merges,
    int BosId, int EosId, int? UnknownId)
{
    // llama.cpp's llama_token_type numbers.
    public const int Normal = 1;
    public const int Unknown = 2;
    public const int Control = 3;
    public const int UserDefined = 4;
    public const int Unused = 5;
    public const int Byte = 6;

    /// <summary>The score of padding tokens (llama.cpp's converter gives unused tokens this score).</summary>
    public const float NoScore = -1000f;

    /// <summary>The score of a tokenizer.json token no merge produces: below every merge, so llama.cpp forms it last.</summary>
    public const float NeverMerged = -1e9f;

    /// <summary>The vocabulary of a llama2.c or HF tokenizer, padded to <paramref name="vocabSize"/> entries.</summary>
    public static GgufVocabulary From(ITokenizer tokenizer, int vocabSize)
    {
        if (tokenizer.VocabSize > vocabSize)
        {
            throw new ArgumentException($"the tokenizer has {tokenizer.VocabSize} tokens but the model's vocab_size is {vocabSize}");
        }
        return tokenizer switch
        {
            // llama2.c pieces are spelled the HF way (▁ for spaces, <s> without newlines) through the HF conversion; their
            // SentencePiece scores are kept, and llama.cpp merges by them as SentencePiece does.
            Llama2cTokenizer l => SentencePieceStyle(HfTokenizer.FromLlama2c(l), l.Score, vocabSize, tokenizer),
            HfTokenizer { IsByteLevel: true } h => GgufByteLevelVocabulary.From(h, vocabSize),
            HfTokenizer h => SentencePieceStyle(h, MergeRankScores(h), vocabSize, tokenizer),
            _ => throw new ArgumentException($"GGUF export supports llama2.c and HF tokenizers, not {tokenizer.GetType().Name}"),
        };
    }

    /// <summary>Texts, types and padding shared by both models: added tokens are control (special) or user-defined.</summary>
    internal static (string[] Tokens, int[] Types) Spell(HfTokenizer hf, int vocabSize, Func<string, int> typeOfPlain)
    {
        var added = hf.AddedTokens.ToDictionary(a => a.Id);
        var tokens = new string[vocabSize];
        var types = new int[vocabSize];
        for (int id = 0; id < vocabSize; id++)
        {
            string? text = id < hf.VocabSize ? TokenOrNull(hf, id) : null;
            (tokens[id], types[id]) = text is null ? ($"[PAD{id}]", Unused)
                : added.TryGetValue(id, out var a) && text != "<unk>" ? (text, a.Special ? Control : UserDefined)
                : (text, typeOfPlain(text));
        }
        return (tokens, types);
    }

    private static GgufVocabulary SentencePieceStyle(HfTokenizer hf, Func<int, float> scoreOf, int vocabSize, ITokenizer source)
    {
        var (tokens, types) = Spell(hf, vocabSize, text => text == "<unk>" ? Unknown : ByteToken.TryParse(text, out _) ? Byte : Normal);
        var scores = new float[vocabSize];
        int? unknownId = null;
        for (int id = 0; id < vocabSize; id++)
        {
            scores[id] = types[id] == Unused ? NoScore : scoreOf(id);
            unknownId ??= types[id] == Unknown ? id : null;
        }
        return new GgufVocabulary("llama", null, tokens, scores, types, null, source.BosId, source.EosId, unknownId);
    }

    /// <summary>llama.cpp's SentencePiece-style tokenizer merges the adjacent pair whose joined token scores highest (leftmost on
    /// ties); a tokenizer.json merges the pair of lowest rank. Score = −(rank of the first merge yielding the token) makes the
    /// two agree wherever the joined token has one merge (a trained BPE's case); tokens no merge yields score lowest.</summary>
    private static Func<int, float> MergeRankScores(HfTokenizer hf)
    {
        var rankOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int rank = 0; rank < hf.Merges.Count; rank++)
        {
            rankOf.TryAdd(hf.Merges[rank].Left + hf.Merges[rank].Right, rank);
        }
        return id => rankOf.TryGetValue(hf.Token(id), out int rank) ? -rank : NeverMerged;
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
