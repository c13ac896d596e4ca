// Hugging Face tokenizer.json: hand-checked BPE on a tiny vocab in both LLaMA layouts (normalizer and Metaspace),
// byte fallback, fused unk, added tokens, decoding, unsupported components, and errors naming the file.
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Tests;

public class TokenizerHfTests
{
    private const string Vocab = """
        {"<unk>": 0, "<s>": 1, "</s>": 2, "▁": 3, "a": 4, "b": 5, "c": 6, "▁a": 7, "ab": 8, "▁ab": 9, "<0x0A>": 10, "<0xC3>": 11, "<0xA9>": 12}
        """;

    private const string AddedTokens = """
        [{"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "<s>", "special": true}, {"id": 2, "content": "</s>", "special": true}]
        """;

    /// <summary>LLaMA 2 layout: Prepend/Replace normalizer, decoder sequence, merges as pairs.</summary>
    private const string NormalizerLayout = $$$"""
        {"version": "1.0", "added_tokens": {{{AddedTokens}}},
         "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
         "pre_tokenizer": null,
         "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]},
         "model": {"type": "BPE", "dropout": null, "unk_token": "<unk>", "fuse_unk": true, "byte_fallback": true, "vocab": {{{Vocab}}},
                   "merges": [["a", "b"], ["▁", "ab"], ["▁", "a"]]}}
        """;

    /// <summary>Mistral/newer layout: Metaspace pre-tokenizer and decoder, merges as "a b" strings.</summary>
    private const string MetaspaceLayout = $$$"""
        {"version": "1.0", "added_tokens": {{{AddedTokens}}}, "normalizer": null,
         "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true},
         "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true},
         "model": {"type": "BPE", "unk_token": "<unk>", "fuse_unk": true, "byte_fallback": true, "vocab": {{{Vocab}}},
                   "merges": ["a b", "▁ ab", "▁ a"]}}
        """;

    [Theory]
    [InlineData("ab ab", new[] { 9, 9 })]          // rank 0 (a b) everywhere before rank 1 (▁ ab); rank 2 (▁ a) never gets a chance
    [InlineData("ba", new[] { 3, 5, 4 })]          // no merge applies
    [InlineData("c\né", new[] { 3, 6, 10, 11, 12 })] // \n and é are not in the vocab: their UTF-8 bytes are
    [InlineData("xx", new[] { 3, 0 })]             // x has no byte token either: unk, and the two unks fuse
    [InlineData("a<s>b", new[] { 7, 1, 3, 5 })]    // <s> is matched literally; each segment gets its own "▁"
    [InlineData(" ab", new[] { 3, 9 })]            // Prepend always adds "▁", even before a space
    public void Normalizer_layout_encodes_by_merge_rank(string text, int[] expected)
    {
        using var temp = new TempFolder();
        var tok = LoadJson(temp, NormalizerLayout);

        Assert.Equal(expected, tok.Encode(text, bos: false, eos: false));
    }

    [Theory]
    [InlineData("ab ab", new[] { 9, 9 })]       // split into words "▁ab" "▁ab"
    [InlineData("a<s>b", new[] { 7, 1, 5 })]    // prepend_scheme first: only the segment at the start gets "▁"
    [InlineData(" ab", new[] { 9 })]            // Metaspace does not prepend to text already starting with "▁"
    [InlineData("c\né", new[] { 3, 6, 10, 11, 12 })]
    public void Metaspace_layout_encodes_by_merge_rank(string text, int[] expected)
    {
        using var temp = new TempFolder();
        var tok = LoadJson(temp, MetaspaceLayout);

        Assert.Equal(expected, tok.Encode(text, bos: false, eos: false));
    }

    [Fact]
    public void Decoding_replaces_markers_fuses_bytes_and_strips_one_leading_space()
    {
        using var temp = new TempFolder();
        var tok = LoadJson(temp, NormalizerLayout);

        Assert.Equal((1, 2, 13), (tok.BosId, tok.EosId, tok.VocabSize));
        Assert.Equal([1, 7, 2], tok.Encode("a", bos: true, eos: true));
        Assert.Equal("ab ab", tok.Decode([1, 9, 9, 2]));
        Assert.Equal("c\né", tok.Decode([3, 6, 10, 11, 12]));
        Assert.Equal("ab"u8.ToArray(), tok.DecodeBytes(previousToken: 1, 9));
        Assert.Equal(" ab"u8.ToArray(), tok.DecodeBytes(previousToken: 5, 9));
        Assert.Equal([0xC3], tok.DecodeBytes(previousToken: 5, 11));
        Assert.Equal("▁ab", tok.Token(9));
    }

    [Fact]
    public void Save_then_load_keeps_the_behaviour_of_both_layouts()
    {
        using var temp = new TempFolder();
        foreach (string json in new[] { NormalizerLayout, MetaspaceLayout })
        {
            var tok = LoadJson(temp, json);
            string saved = temp.File("saved.json");
            tok.Save(saved);
            var reloaded = HfTokenizer.Load(saved);
            foreach (string text in new[] { "ab ab", "a<s>b", " ab", "c\né", "xx ba" })
            {
                Assert.Equal(tok.Encode(text, true, true), reloaded.Encode(text, true, true));
                var ids = tok.Encode(text, false, false);
                Assert.Equal(tok.Decode(ids), reloaded.Decode(ids));
            }
        }
    }

    [Theory]
    [InlineData("""{"normalizer": {"type": "NFKC"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "normalizer 'NFKC'")]
    [InlineData("""{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "ByteLevel pre_tokenizer needs a ByteLevel decoder")]
    [InlineData("""{"pre_tokenizer": {"type": "Whitespace"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "pre_tokenizer 'Whitespace'")]
    [InlineData("""{"pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "a"}, "behavior": "Removed"}, {"type": "ByteLevel"}]}, "decoder": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "behavior 'Removed'")]
    [InlineData("""{"normalizer": {"type": "NFKC"}, "pre_tokenizer": {"type": "ByteLevel"}, "decoder": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "normalizer 'NFKC'")]
    [InlineData("""{"model": {"type": "WordPiece", "vocab": {}}}""", "model type 'WordPiece'")]
    [InlineData("""{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": [["a", "z"]]}}""", "missing from the vocab")]
    [InlineData("""{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a"]}}""", "neither")]
    [InlineData("""{"decoder": {"type": "WordPiece"}, "model": {"type": "BPE", "vocab": {}, "merges": []}}""", "decoder 'WordPiece'")]
    [InlineData("""{"model": {"type": "BPE", "vocab": {"a": 0}}, "added_tokens": [{"id": 0, "content": "b"}]}""", "conflicts")]
    [InlineData("""{"model": {"type": "BPE", "vocab": {"a": 0""", "not valid JSON")]
    [InlineData("""{"vocab": {}}""", "no \"model\"")]
    [InlineData("""{"decoder": {"type": "Strip", "content": " ", "start": "one"}, "model": {"type": "BPE", "vocab": {}}}""", "wrong JSON type")]
    public void Unsupported_or_corrupt_tokenizer_json_names_the_file(string json, string expected)
    {
        using var temp = new TempFolder();
        string path = temp.File("tokenizer.json");
        File.WriteAllText(path, json);

        var e = Assert.Throws<InvalidDataException>(() => HfTokenizer.Load(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_special_tokens_bos_and_eos_default_to_1_and_2()
    {
        using var temp = new TempFolder();
        var tok = LoadJson(temp, """{"model": {"type": "BPE", "vocab": {"x": 0, "y": 1, "z": 2}, "merges": []}}""");

        Assert.Equal((1, 2), (tok.BosId, tok.EosId));
        Assert.Equal([1, 0, 0, 2], tok.Encode("xx", bos: true, eos: true)); // no normalizer: no "▁", no merges
    }

    private static HfTokenizer LoadJson(TempFolder temp, string json)
    {
        string path = temp.File("tokenizer.json");
        File.WriteAllText(path, json);
        return HfTokenizer.Load(path);
    }
}
