// llama2.c tokenizer.bin: known encodings (tok512 and LLaMA's 32k), byte fallback, decoding rules, agreement of the
// fast merge with a literal transliteration of run.c's O(n²) loop, and exact round trips over Jane Austen's text.
using System.Text;
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Tests;

public class TokenizerLlama2cTests
{
    private static readonly Lazy<Llama2cTokenizer> Tok512 = new(() => Llama2cTokenizer.Load(SharedData.Tok512));
    private static readonly Lazy<Llama2cTokenizer> Llama32k = new(() => Llama2cTokenizer.Load(SharedData.Llama32k));

    private static Llama2cTokenizer Vocab(string name) => name == "tok512" ? Tok512.Value : Llama32k.Value;

    [SharedDataFact]
    public void Tok512_encodes_once_upon_a_time_as_whole_word_pieces()
    {
        var tok = Tok512.Value;
        Assert.Equal((512, 1, 2), (tok.VocabSize, tok.BosId, tok.EosId));

        int[] ids = tok.Encode("Once upon a time", bos: true, eos: false);

        // each word with its leading space is a single piece of the 512-token vocab, so no piece can merge further
        Assert.Equal([1, 403, 407, 261, 378], ids);
        Assert.Equal([" Once", " upon", " a", " time"], ids[1..].Select(tok.Piece));
        Assert.Equal("\n<s>\n", tok.Piece(1));
        Assert.Equal("Once upon a time", tok.Decode(ids));
        Assert.Equal([1, 403, 407, 261, 378, 2], tok.Encode("Once upon a time", bos: true, eos: true));
    }

    [SharedDataFact]
    public void Llama32k_encodes_once_upon_a_time_as_llama_does()
    {
        var tok = Llama32k.Value;
        Assert.Equal(32000, tok.VocabSize);

        Assert.Equal([1, 9038, 2501, 263, 931], tok.Encode("Once upon a time", bos: true, eos: false));
        Assert.Equal([26422, 10180, 8697, 29892], tok.Encode("Emma Woodhouse,", bos: false, eos: false));
        Assert.Equal([" Emma", " Wood", "house", ","], new[] { 26422, 10180, 8697, 29892 }.Select(tok.Piece));
    }

    [SharedDataFact]
    public void Unknown_characters_fall_back_to_byte_tokens()
    {
        var tok = Tok512.Value;

        int[] ids = tok.Encode("a ✓", bos: false, eos: false); // ✓ is E2 9C 93 in UTF-8 and not in the vocab

        Assert.Equal([0xE2 + 3, 0x9C + 3, 0x93 + 3], ids[^3..]);
        Assert.Equal(["<0xE2>", "<0x9C>", "<0x93>"], ids[^3..].Select(tok.Piece));
        Assert.Equal("a ✓", tok.Decode(ids));
    }

    [SharedDataFact]
    public void Every_token_decodes_to_its_piece()
    {
        var tok = Tok512.Value;
        for (int id = 3; id < tok.VocabSize; id++)
        {
            string piece = tok.Piece(id);
            byte[] expected = id < 3 + 256 ? [(byte)(id - 3)] : Encoding.UTF8.GetBytes(piece);
            Assert.Equal(expected, tok.DecodeBytes(previousToken: 0, id));
            byte[] afterBos = piece.StartsWith(' ') ? Encoding.UTF8.GetBytes(piece[1..]) : expected;
            Assert.Equal(afterBos, tok.DecodeBytes(previousToken: tok.BosId, id));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => tok.DecodeBytes(0, tok.VocabSize));
    }

    [SharedDataFact]
    public void Empty_text_has_no_dummy_prefix()
    {
        var tok = Tok512.Value;
        Assert.Empty(tok.Encode("", bos: false, eos: false));
        Assert.Equal([1, 2], tok.Encode("", bos: true, eos: true));
        Assert.Equal([410, 410], tok.Encode(" ", false, false)); // dummy prefix + the space; tok512 has no "  " piece
        Assert.Equal(" ", tok.Decode([1, 410, 410, 2]));
        Assert.Equal("", tok.Decode([1, 2]));
    }

    [SharedDataTheory]
    [InlineData("tok512")]
    [InlineData("llama32k")]
    public void Fast_merging_equals_run_c_literal_loop_on_austen_lines(string vocab)
    {
        var tok = Vocab(vocab);
        var reference = new RunCReference(tok);
        foreach (string line in SharedData.AustenLines("pride_and_prejudice").Take(200))
        {
            Assert.Equal(reference.Encode(line), tok.Encode(line, bos: true, eos: false));
        }
    }

    [SharedDataTheory]
    [InlineData("tok512")]
    [InlineData("llama32k")]
    public void Austen_paragraphs_round_trip_exactly(string vocab)
    {
        var tok = Vocab(vocab);
        foreach (string paragraph in SharedData.AustenParagraphs("emma").Take(300))
        {
            int[] ids = tok.Encode(paragraph, bos: true, eos: true);
            Assert.Equal(paragraph, tok.Decode(ids));
            Assert.Equal(ids, tok.Encode(tok.Decode(ids), bos: true, eos: true));
        }
    }

    [SharedDataFact]
    public void Llama32k_encodes_a_whole_novel_and_round_trips_it()
    {
        var tok = Llama32k.Value;
        string novel = File.ReadAllText(SharedData.File("data/austen/persuasion.txt"));

        int[] ids = tok.Encode(novel, bos: true, eos: false);

        Assert.Equal(novel, tok.Decode(ids));
        Assert.InRange(ids.Length, novel.Length / 6, novel.Length / 3); // English runs at about 4 characters per token
    }

    [Fact]
    public void Truncated_tokenizer_file_names_the_file_and_token()
    {
        using var temp = new TempFolder();
        string path = temp.File("tok.bin");
        File.WriteAllBytes(path, [16, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, (byte)'a', (byte)'b']);

        var e = Assert.Throws<InvalidDataException>(() => Llama2cTokenizer.Load(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("token 0 claims 5 bytes", e.Message, StringComparison.Ordinal);
    }

    /// <summary>run.c's encode, transliterated literally: rescan all pairs after every merge (quadratic, for reference).</summary>
    private sealed class RunCReference(Llama2cTokenizer tok)
    {
        private readonly Dictionary<string, int> _ids = Enumerable.Range(0, tok.VocabSize)
            .GroupBy(tok.Piece).ToDictionary(g => g.Key, g => g.First());

        public List<int> Encode(string text)
        {
            var tokens = new List<int> { 1 };
            if (text.Length > 0)
            {
                tokens.Add(_ids[" "]);
            }
            foreach (var rune in text.EnumerateRunes())
            {
                if (_ids.TryGetValue(rune.ToString(), out int id))
                {
                    tokens.Add(id);
                }
                else
                {
                    tokens.AddRange(Encoding.UTF8.GetBytes(rune.ToString()).Select(b => b + 3));
                }
            }
            while (true)
            {
                float bestScore = -1e10f;
                int bestId = -1, bestIndex = -1;
                for (int i = 0; i < tokens.Count - 1; i++)
                {
                    if (_ids.TryGetValue(tok.Piece(tokens[i]) + tok.Piece(tokens[i + 1]), out int id) && tok.Score(id) > bestScore)
                    {
                        (bestScore, bestId, bestIndex) = (tok.Score(id), id, i);
                    }
                }
                if (bestIndex < 0)
                {
                    return tokens;
                }
                tokens[bestIndex] = bestId;
                tokens.RemoveAt(bestIndex + 1);
            }
        }
    }
}
