// llama2.c checkpoints: stories260K's config and tensor mapping, the interleaved→rotate-half q/k permutation
// (hand-checked rows, inverse, and the file's own bytes), untied classifiers, and truncated or nonsensical files.
using System.Buffers.Binary;
using FedSpine.Model.Formats;
using FedSpine.Tensors;

namespace FedSpine.Model.Tests;

public class FormatsLlama2cCheckpointTests
{
    [SharedDataFact]
    public void Stories260K_loads_with_its_config()
    {
        var (config, weights) = Llama2cCheckpoint.Load(SharedData.Stories260K);

        Assert.Equal((64, 172, 5, 8, 4, 512, 512), (config.HiddenSize, config.IntermediateSize, config.NumHiddenLayers,
            config.NumAttentionHeads, config.NumKeyValueHeads, config.VocabSize, config.MaxPositionEmbeddings));
        Assert.Equal(8, config.HeadDim);
        Assert.True(config.TieWordEmbeddings);
        Assert.Same(weights.TokenEmbedding, weights.LmHead);
        Assert.Equal((10000f, 1e-5f), (config.RopeTheta, config.RmsNormEps));
        Assert.All(weights.LayerShapes, s => Assert.Equal(new LayerShape(8, 4, 172), s));
        Assert.Equal([32, 64], weights.Layers[0].Wk.Shape.ToArray());
        Assert.Equal([64, 172], weights.Layers[4].Down.Shape.ToArray());
        Assert.All(weights.NamedTensors, t => Assert.Contains(t.Value.Span.ToArray(), v => v != 0));
    }

    [SharedDataFact]
    public void Stories260K_tensors_are_the_file_bytes_with_q_and_k_rows_permuted()
    {
        var (config, weights) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        float[] file = ReadFloats(SharedData.Stories260K);
        int dim = 64, layers = 5, kvDim = 32, hidden = 172;
        int embed = 512 * dim, rmsAtt = layers * dim, wq = layers * dim * dim, wk = layers * kvDim * dim;
        int wv = wk, wo = wq, rmsFfn = rmsAtt, w1 = layers * hidden * dim;

        Assert.Equal(file.AsSpan(0, embed).ToArray(), weights.TokenEmbedding.Span.ToArray());
        Assert.Equal(file.AsSpan(embed + dim, dim).ToArray(), weights.Layers[1].AttnNorm.Span.ToArray());
        int wvStart = embed + rmsAtt + wq + wk;
        Assert.Equal(file.AsSpan(wvStart + 2 * kvDim * dim, kvDim * dim).ToArray(), weights.Layers[2].Wv.Span.ToArray());
        int w2Start = wvStart + wv + wo + rmsFfn + w1;
        Assert.Equal(file.AsSpan(w2Start + 3 * dim * hidden, dim * hidden).ToArray(), weights.Layers[3].Down.Span.ToArray());
        int finalStart = w2Start + 2 * w1;
        Assert.Equal(file.AsSpan(finalStart, dim).ToArray(), weights.FinalNorm.Span.ToArray());

        var q = weights.Layers[3].Wq.Clone();
        RotaryLayout.HalfToInterleaved(q, config.NumAttentionHeads);
        Assert.Equal(file.AsSpan(embed + rmsAtt + 3 * dim * dim, dim * dim).ToArray(), q.Span.ToArray());
        Assert.NotEqual(q.Span.ToArray(), weights.Layers[3].Wq.Span.ToArray());
        var k = weights.Layers[0].Wk.Clone();
        RotaryLayout.HalfToInterleaved(k, config.NumKeyValueHeads);
        Assert.Equal(file.AsSpan(embed + rmsAtt + wq, kvDim * dim).ToArray(), k.Span.ToArray());
    }

    [SharedDataFact]
    public void Stories260K_survives_an_HF_folder_round_trip()
    {
        var (_, weights) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        using var temp = new TempFolder();

        HfModelFolder.Save(temp.Path, weights);

        FormatsTestData.AssertIdentical(weights, HfModelFolder.Load(temp.Path).Weights);
    }

    [Fact]
    public void InterleavedToHalf_moves_even_rows_first_within_each_head()
    {
        var w = new Tensor(12, 1); // two heads of head_dim 6, rows numbered
        for (int r = 0; r < 12; r++)
        {
            w.Span[r] = r;
        }

        RotaryLayout.InterleavedToHalf(w, heads: 2);
        Assert.Equal([0f, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11], w.Span.ToArray());

        RotaryLayout.HalfToInterleaved(w, heads: 2);
        Assert.Equal(Enumerable.Range(0, 12).Select(r => (float)r), w.Span.ToArray());
    }

    [Fact]
    public void Rotary_permutations_are_inverse_on_wide_weights()
    {
        var w = FormatsTestData.Seeded(5, 4 * 8, 7);
        var original = w.Span.ToArray();

        RotaryLayout.HalfToInterleaved(w, heads: 4);
        Assert.NotEqual(original, w.Span.ToArray());
        RotaryLayout.InterleavedToHalf(w, heads: 4);

        Assert.Equal(original, w.Span.ToArray());
        Assert.Throws<ArgumentException>(() => RotaryLayout.InterleavedToHalf(new Tensor(6, 2), heads: 2)); // odd head_dim
    }

    [Fact]
    public void Untied_checkpoint_reads_the_classifier_after_the_rope_tables()
    {
        // dim 4, hidden 6, 1 layer, 2 heads, 1 kv head (head 2, kv_dim 2), vocab -5 (untied), seq 3
        int[] header = [4, 6, 1, 2, 1, -5, 3];
        int[] sizes = [5 * 4, 4, 4 * 4, 2 * 4, 2 * 4, 4 * 4, 4, 6 * 4, 4 * 6, 6 * 4, 4, 3 * 1, 3 * 1, 5 * 4];
        using var temp = new TempFolder();
        string path = temp.File("untied.bin");
        WriteCheckpoint(path, header, sizes.Sum());

        var (config, weights) = Llama2cCheckpoint.Load(path);

        Assert.False(config.TieWordEmbeddings);
        Assert.Equal(5, config.VocabSize);
        Assert.Equal(2, config.HeadDim);
        var starts = sizes.Select((_, i) => (float)sizes.Take(i).Sum()).ToArray(); // value = flat index in the file
        Assert.Equal(starts[0], weights.TokenEmbedding.Span[0]);
        Assert.Equal(starts[1], weights.Layers[0].AttnNorm.Span[0]);
        Assert.Equal(starts[4], weights.Layers[0].Wv.Span[0]);
        Assert.Equal(starts[5], weights.Layers[0].Wo.Span[0]);
        Assert.Equal(starts[6], weights.Layers[0].FfnNorm.Span[0]);
        Assert.Equal(starts[7], weights.Layers[0].Gate.Span[0]);
        Assert.Equal(starts[8], weights.Layers[0].Down.Span[0]);
        Assert.Equal(starts[9], weights.Layers[0].Up.Span[0]);
        Assert.Equal(starts[10], weights.FinalNorm.Span[0]);
        Assert.Equal(starts[13], weights.LmHead.Span[0]);
        Assert.Equal(starts[13] + 19, weights.LmHead.Span[^1]);
        Assert.Equal(starts[2] + 4, weights.Layers[0].Wq.Span[4]); // head_dim 2: one pair per head, permutation is identity
    }

    [SharedDataFact]
    public void Truncated_checkpoint_says_how_many_bytes_were_expected_and_found()
    {
        byte[] full = File.ReadAllBytes(SharedData.Stories260K);
        using var temp = new TempFolder();
        string path = temp.File("cut.bin");
        File.WriteAllBytes(path, full[..(full.Length - 1000)]);

        var e = Assert.Throws<InvalidDataException>(() => Llama2cCheckpoint.Load(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains($"expected {full.Length} bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains($"found {full.Length - 1000}", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 64, 172, 5, 0, 4, 512, 512 }, "nonsensical")]        // no heads
    [InlineData(new[] { 64, 172, 5, 8, 3, 512, 512 }, "nonsensical")]        // kv heads do not divide heads
    [InlineData(new[] { 64, 172, -5, 8, 4, 512, 512 }, "nonsensical")]       // negative layers
    [InlineData(new[] { 60, 172, 5, 8, 4, 512, 512 }, "nonsensical")]        // dim not a multiple of heads
    [InlineData(new[] { 1 << 20, 1 << 20, 5, 8, 4, 512, 512 }, "nonsensical")] // absurd sizes
    [InlineData(new[] { 0x616b3432, 1, 0, 0, 0, 0, 0 }, "version 0")]         // a later llama2.c export version
    public void Nonsensical_header_is_rejected(int[] header, string expected)
    {
        using var temp = new TempFolder();
        string path = temp.File("bad.bin");
        WriteCheckpoint(path, header, 16);

        var e = Assert.Throws<InvalidDataException>(() => Llama2cCheckpoint.Load(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_shorter_than_the_header_is_truncated()
    {
        using var temp = new TempFolder();
        string path = temp.File("tiny.bin");
        File.WriteAllBytes(path, new byte[10]);

        var e = Assert.Throws<InvalidDataException>(() => Llama2cCheckpoint.Load(path));

        Assert.Contains("expected 28 bytes, found 10", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The header, then <paramref name="floats"/> values each equal to its index after the header.</summary>
    private static void WriteCheckpoint(string path, int[] header, int floats)
    {
        var bytes = new byte[4 * (header.Length + floats)];
        for (int i = 0; i < header.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4 * i), header[i]);
        }
        for (int i = 0; i < floats; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * (header.Length + i)), i);
        }
        File.WriteAllBytes(path, bytes);
    }

    private static float[] ReadFloats(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return Enumerable.Range(0, (bytes.Length - 28) / 4).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(28 + 4 * i))).ToArray();
    }
}
