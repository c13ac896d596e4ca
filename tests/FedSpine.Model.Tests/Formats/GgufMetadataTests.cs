// The GGUF written for stories260K: every llama metadata key with its type and value, the tokenizer arrays, the tensor
// table (names, dims innermost-first, types) and the alignment of the data section; plus a round trip of every value type.
using FedSpine.Model.Formats;
using FedSpine.Model.Tokenizers;
using FedSpine.Tensors;

namespace FedSpine.Model.Tests.Formats;

public class GgufMetadataTests
{
    [SharedDataFact]
    public void Stories260K_metadata_has_the_llama_keys_types_and_values()
    {
        var (_, weights) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        var tokenizer = Llama2cTokenizer.Load(SharedData.Tok512);
        using var temp = new TempFolder();
        string path = temp.File("stories260K.gguf");
        GgufWriter.Save(path, weights, tokenizer, GgmlType.F16, "stories260K");

        using var file = GgufFile.Read(path);

        Assert.Equal(3u, file.Version);
        string Scalar(string key) => file.Find(key)!.ToString();
        Assert.Equal(
            [
                "general.architecture", "general.name", "general.alignment", "general.file_type", "llama.vocab_size", "llama.context_length",
                "llama.embedding_length", "llama.block_count", "llama.feed_forward_length", "llama.attention.head_count",
                "llama.attention.head_count_kv", "llama.attention.key_length", "llama.attention.value_length",
                "llama.attention.layer_norm_rms_epsilon", "llama.rope.dimension_count", "llama.rope.freq_base",
                "tokenizer.ggml.model", "tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type",
                "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id",
                "tokenizer.ggml.add_bos_token", "tokenizer.ggml.add_eos_token",
            ],
            file.Metadata.Select(kv => kv.Key));
        Assert.Equal("String llama", Scalar("general.architecture"));
        Assert.Equal("String stories260K", Scalar("general.name"));
        Assert.Equal("UInt32 32", Scalar("general.alignment"));
        Assert.Equal("UInt32 1", Scalar("general.file_type")); // mostly F16
        Assert.Equal("UInt32 512", Scalar("llama.vocab_size"));
        Assert.Equal("UInt32 512", Scalar("llama.context_length"));
        Assert.Equal("UInt32 64", Scalar("llama.embedding_length"));
        Assert.Equal("UInt32 5", Scalar("llama.block_count"));
        Assert.Equal("UInt32 172", Scalar("llama.feed_forward_length"));
        Assert.Equal("UInt32 8", Scalar("llama.attention.head_count"));
        Assert.Equal("UInt32 4", Scalar("llama.attention.head_count_kv"));
        Assert.Equal("UInt32 8", Scalar("llama.attention.key_length"));
        Assert.Equal("UInt32 8", Scalar("llama.attention.value_length"));
        Assert.Equal(1e-5f, (float)file.Find("llama.attention.layer_norm_rms_epsilon")!.Value);
        Assert.Equal("UInt32 8", Scalar("llama.rope.dimension_count"));
        Assert.Equal("Float32 10000", Scalar("llama.rope.freq_base"));
        Assert.Equal("String llama", Scalar("tokenizer.ggml.model"));
        Assert.Equal("UInt32 1", Scalar("tokenizer.ggml.bos_token_id"));
        Assert.Equal("UInt32 2", Scalar("tokenizer.ggml.eos_token_id"));
        Assert.Equal("UInt32 0", Scalar("tokenizer.ggml.unknown_token_id"));
        Assert.Equal("Bool True", Scalar("tokenizer.ggml.add_bos_token"));

        var tokens = (string[])file.Find("tokenizer.ggml.tokens")!.Value;
        var scores = (float[])file.Find("tokenizer.ggml.scores")!.Value;
        var types = (int[])file.Find("tokenizer.ggml.token_type")!.Value;
        Assert.Equal(512, tokens.Length);
        Assert.Equal(["<unk>", "<s>", "</s>", "<0x00>", "<0x0A>"], new[] { 0, 1, 2, 3, 13 }.Select(i => tokens[i]));
        Assert.Equal([2, 3, 3, 6, 6], new[] { 0, 1, 2, 3, 13 }.Select(i => types[i])); // unknown, control, control, byte, byte
        Assert.All(Enumerable.Range(259, 512 - 259), id => Assert.Equal(1, types[id]));
        Assert.Equal(Enumerable.Range(0, 512).Select(tokenizer.Score), scores);
        Assert.Contains("▁the", tokens); // SentencePiece spelling of spaces
        Assert.DoesNotContain(tokens, t => t.Contains(' ', StringComparison.Ordinal));
    }

    [SharedDataFact]
    public void HF_tokenizer_vocabulary_is_padded_to_the_model_with_unused_tokens()
    {
        var llama2c = Llama2cTokenizer.Load(SharedData.Tok512);

        var hf = HfTokenizer.FromLlama2c(llama2c);
        var vocabulary = GgufVocabulary.From(hf, 515);

        Assert.Equal(Enumerable.Range(0, 512).Select(id => llama2c.Piece(id).Replace(' ', '▁')).Skip(3), vocabulary.Tokens.Skip(3).Take(509));
        Assert.Equal(["[PAD512]", "[PAD513]", "[PAD514]"], vocabulary.Tokens[512..]);
        Assert.Equal([GgufVocabulary.Unused, GgufVocabulary.Unused, GgufVocabulary.Unused], vocabulary.Types[512..]);
        // tokenizer.json has merges, not scores: a token scores minus the rank of the merge that forms it (llama.cpp merges the
        // highest score first), tokens no merge forms score lowest, padding as llama.cpp's converter pads.
        var rankOf = hf.Merges.Select((m, rank) => (m.Left + m.Right, rank)).GroupBy(x => x.Item1).ToDictionary(g => g.Key, g => g.Min(x => x.rank));
        Assert.Equal(Enumerable.Range(0, 512).Select(id => rankOf.TryGetValue(hf.Token(id), out int r) ? -r : GgufVocabulary.NeverMerged),
            vocabulary.Scores![..512]);
        Assert.Equal([GgufVocabulary.NoScore, GgufVocabulary.NoScore, GgufVocabulary.NoScore], vocabulary.Scores[512..]);
        Assert.True(rankOf.Count > 100, $"only {rankOf.Count} tokens come from merges");
        Assert.Equal(("llama", null, null), (vocabulary.Model, vocabulary.PreTokenizer, vocabulary.Merges));
        Assert.Equal((1, 2, 0), (vocabulary.BosId, vocabulary.EosId, vocabulary.UnknownId));
        var e = Assert.Throws<ArgumentException>(() => GgufVocabulary.From(llama2c, 500));
        Assert.Contains("512 tokens but the model's vocab_size is 500", e.Message, StringComparison.Ordinal);
    }

    [SharedDataFact]
    public void Stories260K_tensor_table_uses_llama_cpp_names_dims_and_types()
    {
        var (_, weights) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        using var temp = new TempFolder();
        string path = temp.File("stories260K.gguf");
        GgufWriter.Save(path, weights, null, GgmlType.F16);

        using var file = GgufFile.Read(path);

        var expected = new List<string> { "token_embd.weight F16 [64, 512]" };
        for (int i = 0; i < 5; i++)
        {
            expected.AddRange(
            [
                $"blk.{i}.attn_norm.weight F32 [64]", $"blk.{i}.attn_q.weight F16 [64, 64]", $"blk.{i}.attn_k.weight F16 [64, 32]",
                $"blk.{i}.attn_v.weight F16 [64, 32]", $"blk.{i}.attn_output.weight F16 [64, 64]", $"blk.{i}.ffn_norm.weight F32 [64]",
                $"blk.{i}.ffn_gate.weight F16 [64, 172]", $"blk.{i}.ffn_up.weight F16 [64, 172]", $"blk.{i}.ffn_down.weight F16 [172, 64]",
            ]);
        }
        expected.Add("output_norm.weight F32 [64]"); // tied embeddings: no output.weight
        Assert.Equal(expected, file.Tensors.Select(t => $"{t.Name} {t.Type} {t.DimsText}"));
    }

    [Fact]
    public void Data_section_and_every_tensor_are_aligned_with_zero_padding()
    {
        // Odd sizes (hidden 10, 7 FFN channels, 13 tokens) so that tensors end off the 32-byte grid and need padding.
        var config = new LlamaConfig
        {
            HiddenSize = 10, IntermediateSize = 7, NumHiddenLayers = 2, NumAttentionHeads = 2, NumKeyValueHeads = 1, HeadDim = 4, VocabSize = 13,
        };
        using var temp = new TempFolder();
        string path = temp.File("odd.gguf");
        GgufWriter.Save(path, FormatsTestData.SeededWeights(config), null, GgmlType.F16);

        using var file = GgufFile.Read(path);
        byte[] bytes = System.IO.File.ReadAllBytes(path);

        Assert.Equal(32u, file.Alignment);
        Assert.Equal(0, file.DataStart % 32);
        Assert.All(file.Tensors, t => Assert.Equal(0, t.Offset % 32));
        Assert.Contains(file.Tensors, t => t.ByteCount % 32 != 0); // so padding between tensors is really exercised
        var ordered = file.Tensors.OrderBy(t => t.Offset).ToList();
        for (int i = 0; i < ordered.Count; i++)
        {
            long end = file.DataStart + ordered[i].Offset + ordered[i].ByteCount;
            long next = i + 1 < ordered.Count ? file.DataStart + ordered[i + 1].Offset : bytes.Length;
            Assert.Equal(next, AlignUp32(end));
            Assert.All(bytes[(int)end..(int)next], b => Assert.Equal(0, b));
        }
        Assert.Equal(0, bytes.Length % 32);
    }

    [Fact]
    public void Every_value_type_round_trips()
    {
        using var temp = new TempFolder();
        string path = temp.File("values.gguf");
        var metadata = new List<KeyValuePair<string, GgufValue>>
        {
            new("u32", GgufValue.UInt32(uint.MaxValue)),
            new("f32", GgufValue.Float32(-1.5f)),
            new("bool", GgufValue.Bool(false)),
            new("text", GgufValue.String("héllo ▁ wörld")),
            new("empty", GgufValue.String("")),
            new("u32s", GgufValue.UInt32Array([1, 2, 3])),
            new("i32s", GgufValue.Int32Array([-1, 0, int.MaxValue])),
            new("f32s", GgufValue.Float32Array([0.25f, float.NegativeInfinity])),
            new("texts", GgufValue.StringArray(["a", "", "ü"])),
            new(GgufFile.AlignmentKey, GgufValue.UInt32(64)),
        };
        var tensor = FormatsTestData.Seeded(5, 3, 5);
        GgufFile.Write(path, metadata, [new GgufTensorToWrite("t", [3, 5], GgmlType.F32, () => tensor)]);

        using var file = GgufFile.Read(path);

        Assert.Equal(metadata.Select(kv => (kv.Key, kv.Value.Type, kv.Value.ElementType)), file.Metadata.Select(kv => (kv.Key, kv.Value.Type, kv.Value.ElementType)));
        for (int i = 0; i < metadata.Count; i++)
        {
            Assert.Equal(metadata[i].Value.Value, file.Metadata[i].Value.Value);
        }
        Assert.Equal(64u, file.Alignment);
        Assert.Equal(0, file.DataStart % 64);
        var read = new Tensor(3, 5);
        file.ReadInto(file.FindTensor("t")!, read.Span);
        Assert.Equal(FormatsTestData.Bits(tensor), FormatsTestData.Bits(read));
        Assert.Equal([3, 5], file.FindTensor("t")!.Shape);
        Assert.Equal([5L, 3], file.FindTensor("t")!.Dims);
    }

    private static long AlignUp32(long position) => (position + 31) / 32 * 32;
}
