// llama2.c's tokenizer.bin (int32 max_token_length; per token: float32 score, int32 length, bytes), encoding and
// decoding exactly as run.c's encode/decode: codepoints or byte fallback (id = byte + 3), then best-score pair merges.
using System.Buffers.Binary;
using System.Text;

namespace FedSpine.Model.Tokenizers;

public sealed class Llama2cTokenizer : ITokenizer
{
    /// <summary>run.c starts its best-score search here, so pieces scoring at or below it never result from a merge.</summary>
    internal const float NeverMergedScore = -1e10f;

    private readonly byte[][] _pieces;
    private readonly float[] _scores;
    private readonly Dictionary<string, int> _idByPiece;  // keyed by the piece's bytes as Latin-1 chars (byte-exact)
    private readonly Dictionary<(int, int), BpeMerge> _merges;

    private Llama2cTokenizer(byte[][] pieces, float[] scores)
    {
        _pieces = pieces;
        _scores = scores;
        _idByPiece = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < pieces.Length; id++)
        {
            _idByPiece.TryAdd(Encoding.Latin1.GetString(pieces[id]), id); // the first of duplicate pieces wins
        }
        _merges = BuildMerges();
    }

    public int VocabSize => _pieces.Length;
    public int BosId => 1;
    public int EosId => 2;

    /// <summary>A token's text as stored (run.c's vocab[id]: spaces are ' ', BOS is "\n&lt;s&gt;\n").</summary>
    public string Piece(int id) => Encoding.UTF8.GetString(_pieces[id]);

    public float Score(int id) => _scores[id];

    public static Llama2cTokenizer Load(string path)
    {
        byte[] data = File.ReadAllBytes(path);
        if (data.Length < 4 || BinaryPrimitives.ReadInt32LittleEndian(data) <= 0)
        {
            throw new InvalidDataException($"{path}: not a llama2.c tokenizer.bin (no positive max_token_length in the first 4 bytes)");
        }
        var pieces = new List<byte[]>();
        var scores = new List<float>();
        int offset = 4;
        while (offset < data.Length)
        {
            if (data.Length - offset < 8)
            {
                throw new InvalidDataException($"{path}: truncated: token {pieces.Count} at byte {offset} needs 8 header bytes, {data.Length - offset} left");
            }
            float score = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(offset));
            int length = BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(offset + 4));
            offset += 8;
            if (length < 0 || length > data.Length - offset)
            {
                throw new InvalidDataException($"{path}: token {pieces.Count} claims {length} bytes at byte {offset}, {data.Length - offset} left");
            }
            pieces.Add(data.AsSpan(offset, length).ToArray());
            scores.Add(score);
            offset += length;
        }
        if (pieces.Count < 3 + 256)
        {
            throw new InvalidDataException($"{path}: {pieces.Count} tokens, fewer than the 3 special and 256 byte tokens llama2.c expects");
        }
        return new Llama2cTokenizer(pieces.ToArray(), scores.ToArray());
    }

    public int[] Encode(string text, bool bos, bool eos)
    {
        var symbols = new List<int>(text.Length + 3);
        if (bos)
        {
            symbols.Add(BosId);
        }
        if (text.Length > 0)
        {
            AddCodepoint(symbols, " "u8); // the dummy prefix
        }
        byte[] utf8 = Encoding.UTF8.GetBytes(text);
        for (int start = 0; start < utf8.Length;)
        {
            int end = start + 1;
            while (end < utf8.Length && (utf8[end] & 0xC0) == 0x80 && end - start < 4)
            {
                end++;
            }
            AddCodepoint(symbols, utf8.AsSpan(start, end - start));
            start = end;
        }
        BpeMerger.Merge(symbols, _merges);
        if (eos)
        {
            symbols.Add(EosId);
        }
        return symbols.ToArray();
    }

    public byte[] DecodeBytes(int previousToken, int token)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)token, (uint)_pieces.Length, nameof(token));
        ReadOnlySpan<byte> piece = _pieces[token];
        if (previousToken == BosId && piece.Length > 0 && piece[0] == (byte)' ')
        {
            piece = piece[1..];
        }
        return ByteToken.TryParse(piece, out byte value) ? [value] : piece.ToArray();
    }

    public string Decode(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>();
        int previous = BosId; // decoding starts as if after BOS: the dummy-prefix space is not printed
        foreach (int id in ids)
        {
            if (id != BosId && id != EosId)
            {
                bytes.AddRange(DecodeBytes(previous, id));
            }
            previous = id;
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private void AddCodepoint(List<int> symbols, ReadOnlySpan<byte> codepoint)
    {
        if (_idByPiece.TryGetValue(Encoding.Latin1.GetString(codepoint), out int id))
        {
            symbols.Add(id);
            return;
        }
        foreach (byte b in codepoint)
        {
            symbols.Add(b + 3);
        }
    }

    /// <summary>Every (left, right) whose concatenation is a piece: run.c's "is str_buffer in the vocab" test, precomputed.</summary>
    private Dictionary<(int, int), BpeMerge> BuildMerges()
    {
        var merges = new Dictionary<(int, int), BpeMerge>();
        foreach (var (key, merged) in _idByPiece)
        {
            if (!(_scores[merged] > NeverMergedScore))
            {
                continue;
            }
            for (int split = 1; split < key.Length; split++)
            {
                if (_idByPiece.TryGetValue(key[..split], out int left) && _idByPiece.TryGetValue(key[split..], out int right))
                {
                    merges[(left, right)] = new BpeMerge(_scores[merged], merged);
                }
            }
        }
        return merges;
    }
}
