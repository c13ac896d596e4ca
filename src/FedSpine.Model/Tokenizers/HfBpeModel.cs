// The "model" of a Hugging Face tokenizer.json of type BPE: vocab, rank-ordered merges, byte fallback to <0xHH>
// tokens, unk token (optionally fused), ignore_merges. Encodes one pre-tokenized word (remembering the ids of up to
// CacheCapacity words, as HF does); reads and writes its JSON.
using System.Collections.Concurrent;
using System.Text.Json;

namespace FedSpine.Model.Tokenizers;

internal sealed class HfBpeModel
{
    private readonly Dictionary<(int, int), BpeMerge> _mergeTable;
    private const int CacheCapacity = 50_000;
    private const int CachedWordLength = 64; // longer words (runs of spaces, long numbers) are merged each time

    private readonly int[] _byteIds; // id of <0xHH> per byte, -1 when absent
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal); // word -> its ids

    public HfBpeModel(Dictionary<string, int> vocab, List<(string Left, string Right)> merges, string? unkToken, bool byteFallback,
        bool fuseUnk, bool ignoreMerges, string source)
    {
        Vocab = vocab;
        Merges = merges;
        UnkToken = unkToken;
        ByteFallback = byteFallback;
        FuseUnk = fuseUnk;
        IgnoreMerges = ignoreMerges;
        _mergeTable = new Dictionary<(int, int), BpeMerge>();
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            if (!vocab.TryGetValue(left, out int l) || !vocab.TryGetValue(right, out int r) || !vocab.TryGetValue(left + right, out int merged))
            {
                throw new InvalidDataException($"{source}: merge {rank} (\"{left}\", \"{right}\") uses a token missing from the vocab");
            }
            _mergeTable.TryAdd((l, r), new BpeMerge(-rank, merged)); // lower rank merges first; a repeated pair keeps its first rank
        }
        if (unkToken is not null && !vocab.ContainsKey(unkToken))
        {
            throw new InvalidDataException($"{source}: unk_token '{unkToken}' is not in the vocab");
        }
        _byteIds = Enumerable.Range(0, 256).Select(b => vocab.GetValueOrDefault(ByteToken.Name((byte)b), -1)).ToArray();
    }

    public Dictionary<string, int> Vocab { get; }
    public List<(string Left, string Right)> Merges { get; }
    public string? UnkToken { get; }
    public bool ByteFallback { get; }
    public bool FuseUnk { get; }
    public bool IgnoreMerges { get; }

    /// <summary>Appends the ids of one word: its characters (or their UTF-8 bytes, or unk), merged by rank.</summary>
    public void EncodeWord(string word, List<int> output)
    {
        if (_cache.TryGetValue(word, out var cached))
        {
            output.AddRange(cached);
            return;
        }
        int start = output.Count;
        EncodeUncached(word, output);
        if (word.Length <= CachedWordLength && _cache.Count < CacheCapacity)
        {
            _cache.TryAdd(word, output.GetRange(start, output.Count - start).ToArray());
        }
    }

    private void EncodeUncached(string word, List<int> output)
    {
        if (IgnoreMerges && Vocab.TryGetValue(word, out int whole))
        {
            output.Add(whole);
            return;
        }
        var symbols = new List<int>(word.Length);
        bool previousUnk = false;
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in word.EnumerateRunes())
        {
            string text = rune.ToString();
            if (Vocab.TryGetValue(text, out int id))
            {
                symbols.Add(id);
                previousUnk = false;
                continue;
            }
            var bytes = utf8[..rune.EncodeToUtf8(utf8)];
            if (ByteFallback && HasByteTokens(bytes))
            {
                foreach (byte b in bytes)
                {
                    symbols.Add(_byteIds[b]);
                }
                previousUnk = false;
                continue;
            }
            if (UnkToken is null)
            {
                throw new ArgumentException($"character U+{rune.Value:X4} is not in the vocabulary and the tokenizer has no unk_token");
            }
            if (!(FuseUnk && previousUnk))
            {
                symbols.Add(Vocab[UnkToken]);
            }
            previousUnk = true;
        }
        BpeMerger.Merge(symbols, _mergeTable);
        output.AddRange(symbols);
    }

    public static HfBpeModel FromJson(JsonElement model, string source)
    {
        if (model.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{source}: \"model\" must be an object");
        }
        string type = model.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "BPE";
        if (type != "BPE")
        {
            throw new InvalidDataException($"{source}: model type '{type}' is not supported (only BPE)");
        }
        foreach (string unsupported in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
        {
            if (model.TryGetProperty(unsupported, out var v) && v.ValueKind != JsonValueKind.Null && !(v.ValueKind == JsonValueKind.String && v.GetString()!.Length == 0))
            {
                throw new InvalidDataException($"{source}: BPE option '{unsupported}' is not supported (only null or \"\")");
            }
        }
        if (model.TryGetProperty("dropout", out var dropout) && dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() > 0)
        {
            throw new InvalidDataException($"{source}: BPE dropout is not supported (encoding must be deterministic)");
        }
        var vocab = ReadVocab(model, source);
        var merges = ReadMerges(model, source);
        string? unk = model.TryGetProperty("unk_token", out var u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
        return new HfBpeModel(vocab, merges, unk, Flag(model, "byte_fallback"), Flag(model, "fuse_unk"), Flag(model, "ignore_merges"), source);
    }

    public void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("model");
        writer.WriteString("type", "BPE");
        writer.WriteNull("dropout");
        if (UnkToken is null)
        {
            writer.WriteNull("unk_token");
        }
        else
        {
            writer.WriteString("unk_token", UnkToken);
        }
        writer.WriteNull("continuing_subword_prefix");
        writer.WriteNull("end_of_word_suffix");
        writer.WriteBoolean("fuse_unk", FuseUnk);
        writer.WriteBoolean("byte_fallback", ByteFallback);
        writer.WriteBoolean("ignore_merges", IgnoreMerges);
        writer.WriteStartObject("vocab");
        foreach (var (token, id) in Vocab.OrderBy(v => v.Value))
        {
            writer.WriteNumber(token, id);
        }
        writer.WriteEndObject();
        writer.WriteStartArray("merges");
        foreach (var (left, right) in Merges)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(left);
            writer.WriteStringValue(right);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private bool HasByteTokens(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            if (_byteIds[b] < 0)
            {
                return false;
            }
        }
        return true;
    }

    private static bool Flag(JsonElement model, string name) =>
        model.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;

    private static Dictionary<string, int> ReadVocab(JsonElement model, string source)
    {
        if (!model.TryGetProperty("vocab", out var vocabElement) || vocabElement.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{source}: model has no \"vocab\" object");
        }
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in vocabElement.EnumerateObject())
        {
            if (!entry.Value.TryGetInt32(out int id) || id < 0)
            {
                throw new InvalidDataException($"{source}: vocab entry '{entry.Name}' has no non-negative id");
            }
            if (!vocab.TryAdd(entry.Name, id))
            {
                throw new InvalidDataException($"{source}: vocab lists '{entry.Name}' twice");
            }
        }
        return vocab;
    }

    private static List<(string, string)> ReadMerges(JsonElement model, string source)
    {
        var merges = new List<(string, string)>();
        if (!model.TryGetProperty("merges", out var mergesElement) || mergesElement.ValueKind == JsonValueKind.Null)
        {
            return merges;
        }
        if (mergesElement.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{source}: model \"merges\" must be an array");
        }
        foreach (var merge in mergesElement.EnumerateArray())
        {
            if (merge.ValueKind == JsonValueKind.String && merge.GetString()!.Split(' ') is [var left, var right])
            {
                merges.Add((left, right));
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                     && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            {
                merges.Add((merge[0].GetString()!, merge[1].GetString()!));
            }
            else
            {
                throw new InvalidDataException($"{source}: merge {merges.Count} ({merge.GetRawText()}) is neither \"a b\" nor [\"a\", \"b\"]");
            }
        }
        return merges;
    }
}
