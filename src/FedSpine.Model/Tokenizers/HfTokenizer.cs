// A Hugging Face tokenizer.json tokenizer: BPE with byte fallback (LLaMA-family, SentencePiece-style) or byte-level BPE
// (GPT-2, Llama 3, Qwen). Added tokens (<s>, <|im_start|>, ...) are matched literally in the input and never merged; the
// rest is split into words and BPE-merged.
using System.Text;

namespace FedSpine.Model.Tokenizers;

/// <summary>An entry of tokenizer.json's "added_tokens".</summary>
public sealed record HfAddedToken(int Id, string Content, bool Special);

public sealed partial class HfTokenizer : ITokenizer
{
    private readonly HfBpeModel _model;
    private readonly IHfPreprocessing _preprocessing;
    private readonly HfDecoding _decoding;
    private readonly string?[] _tokens;                                  // id -> token text; null for unused ids
    private readonly Dictionary<char, HfAddedToken[]> _addedByFirstChar;  // longest first

    private HfTokenizer(HfBpeModel model, IReadOnlyList<HfAddedToken> added, IHfPreprocessing preprocessing, HfDecoding decoding, string source,
        string? bosToken = null, string? eosToken = null)
    {
        _model = model;
        _preprocessing = preprocessing;
        _decoding = decoding;
        AddedTokens = added;
        int size = Math.Max(model.Vocab.Count == 0 ? 0 : model.Vocab.Values.Max() + 1, added.Count == 0 ? 0 : added.Max(a => a.Id) + 1);
        _tokens = new string?[size];
        foreach (var (token, id) in model.Vocab)
        {
            _tokens[id] = _tokens[id] is null ? token : throw new InvalidDataException($"{source}: vocab gives id {id} to both '{_tokens[id]}' and '{token}'");
        }
        foreach (var a in added)
        {
            if (a.Content.Length == 0 || (_tokens[a.Id] ?? a.Content) != a.Content)
            {
                throw new InvalidDataException($"{source}: added token {a.Id} '{a.Content}' conflicts with vocab token '{_tokens[a.Id]}'");
            }
            _tokens[a.Id] = a.Content;
        }
        _addedByFirstChar = added.GroupBy(a => a.Content[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(a => a.Content.Length).ToArray());
        // tokenizer_config.json's tokens, else the usual names (as added tokens: "<s>" is ordinary text in byte-level vocabularies).
        BosId = IdOf(bosToken) ?? (decoding.ByteLevel ? null : IdOf("<s>")) ?? AddedId("<s>") ?? AddedId("<|begin_of_text|>") ?? AddedId("<|endoftext|>") ?? 1;
        EosId = IdOf(eosToken) ?? (decoding.ByteLevel ? null : IdOf("</s>")) ?? AddedId("</s>") ?? AddedId("<|end_of_text|>") ?? AddedId("<|endoftext|>") ?? 2;
    }

    /// <summary>True for GPT-2-style byte-level BPE (tokens spell bytes in the byte alphabet; no leading space is added).</summary>
    public bool IsByteLevel => _decoding.ByteLevel;

    /// <summary>The BPE merges in rank order (earliest first), as tokenizer.json lists them.</summary>
    internal IReadOnlyList<(string Left, string Right)> Merges => _model.Merges;

    /// <summary>tokenizer.json's ignore_merges: a word that is itself a token is taken whole.</summary>
    internal bool IgnoreMerges => _model.IgnoreMerges;

    /// <summary>The normalizer and pre_tokenizer, for exporters that must name them (GGUF).</summary>
    internal IHfPreprocessing Preprocessing => _preprocessing;

    public int VocabSize => _tokens.Length;
    public int BosId { get; }
    public int EosId { get; }
    public IReadOnlyList<HfAddedToken> AddedTokens { get; }

    /// <summary>The token's text as the vocab spells it (spaces as "▁", bytes as "&lt;0xHH&gt;").</summary>
    public string Token(int id) =>
        ((uint)id < (uint)_tokens.Length ? _tokens[id] : null) ?? throw new ArgumentOutOfRangeException(nameof(id), $"no token has id {id}");

    public int[] Encode(string text, bool bos, bool eos)
    {
        var ids = new List<int>(text.Length / 3 + 2);
        if (bos)
        {
            ids.Add(BosId);
        }
        int segmentStart = 0;
        for (int i = 0; i < text.Length;)
        {
            if (AddedTokenAt(text, i) is not { } added)
            {
                i++;
                continue;
            }
            EncodeSegment(text[segmentStart..i], segmentStart == 0, ids);
            ids.Add(added.Id);
            i += added.Content.Length;
            segmentStart = i;
        }
        EncodeSegment(text[segmentStart..], segmentStart == 0, ids);
        if (eos)
        {
            ids.Add(EosId);
        }
        return ids.ToArray();
    }

    public byte[] DecodeBytes(int previousToken, int token)
    {
        string piece = Token(token);
        if (_decoding.ByteLevel)
        {
            return ByteLevelAlphabet.Bytes(piece);
        }
        if (_decoding.ByteFallback && ByteToken.TryParse(piece, out byte value))
        {
            return [value];
        }
        string text = Replaced(piece);
        return Encoding.UTF8.GetBytes(previousToken == BosId && text.StartsWith(' ') ? text[1..] : text);
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>();
        foreach (int id in ids.Where(id => id != BosId && id != EosId))
        {
            string piece = Token(id);
            if (_decoding.ByteLevel)
            {
                bytes.AddRange(ByteLevelAlphabet.Bytes(piece));
            }
            else if (_decoding.ByteFallback && ByteToken.TryParse(piece, out byte value))
            {
                bytes.Add(value);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(Replaced(piece)));
            }
        }
        int start = 0, end = bytes.Count;
        while (start < _decoding.StripStart && start < end && bytes[start] == (byte)' ')
        {
            start++;
        }
        while (bytes.Count - end < _decoding.StripStop && end > start && bytes[end - 1] == (byte)' ')
        {
            end--;
        }
        return Encoding.UTF8.GetString(bytes.ToArray(), start, end - start);
    }

    private int? AddedId(string token) => AddedTokens.FirstOrDefault(a => a.Content == token)?.Id;

    private int? IdOf(string? token) => token is null ? null :
        AddedTokens.FirstOrDefault(a => a.Content == token)?.Id ?? (_model.Vocab.TryGetValue(token, out int id) ? id : null);

    private string Replaced(string piece)
    {
        foreach (var (pattern, content) in _decoding.Replacements)
        {
            piece = piece.Replace(pattern, content, StringComparison.Ordinal);
        }
        return piece;
    }

    private HfAddedToken? AddedTokenAt(string text, int index)
    {
        if (_addedByFirstChar.TryGetValue(text[index], out var candidates))
        {
            foreach (var candidate in candidates)
            {
                if (text.AsSpan(index).StartsWith(candidate.Content, StringComparison.Ordinal))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    private void EncodeSegment(string segment, bool atStart, List<int> ids)
    {
        foreach (string word in _preprocessing.Words(segment, atStart))
        {
            _model.EncodeWord(word, ids);
        }
    }
}
