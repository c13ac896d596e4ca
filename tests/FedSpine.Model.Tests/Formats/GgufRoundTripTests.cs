// GGUF export and re-import: stories260K and pruned random models come back bit for bit (f32) with identical decoder
// logits, or close (f16); q/k rows are stored interleaved as llama.cpp expects; per-layer counts become arrays only when needed.
using FedSpine.Model.Formats;
using FedSpine.Model.Inference;
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Tests.Formats;

public class GgufRoundTripTests
{
    private static readonly int[] Prompt = [1, 403, 407, 261, 378, 2, 9, 300];

    [SharedDataFact]
    public void Stories260K_f32_round_trip_is_bitwise_and_gives_identical_logits()
    {
        var (_, weights) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        using var temp = new TempFolder();
        string path = temp.File("stories260K.gguf");

        GgufWriter.Save(path, weights, Llama2cTokenizer.Load(SharedData.Tok512), GgmlType.F32);
        var (config, loaded) = GgufModel.Load(path);

        FormatsTestData.AssertIdentical(weights, loaded);
        Assert.Equal("float32", config.TorchDtype);
        AssertLogits(weights, loaded, Prompt, tolerance: 0f);
    }

    [SharedDataFact]
    public void Stories260K_f16_round_trip_stays_close()
    {
        var (_, weights) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        using var temp = new TempFolder();
        string path = temp.File("stories260K-f16.gguf");

        GgufWriter.Save(path, weights, null, GgmlType.F16);
        var (config, loaded) = GgufModel.Load(path);

        Assert.Equal("float16", config.TorchDtype);
        Assert.Equal(FormatsTestData.Bits(weights.FinalNorm), FormatsTestData.Bits(loaded.FinalNorm)); // norms stay f32
        AssertLogits(weights, loaded, Prompt, tolerance: 0.002f);
        Assert.True(new FileInfo(path).Length < 0.6 * weights.ParameterCount * 4, "f16 file should be about half the f32 size");
    }

    [SharedDataFact]
    public void Stored_q_and_k_rows_are_llama2c_interleaved_order()
    {
        // llama2.c's checkpoint holds Meta's interleaved rows, as llama.cpp's converter writes them; ours must match byte for byte.
        var (config, weights) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        using var temp = new TempFolder();
        string path = temp.File("stories260K.gguf");
        GgufWriter.Save(path, weights);

        using var file = GgufFile.Read(path);
        int d = config.HiddenSize, kvDim = config.KeyValueDim, layers = config.NumHiddenLayers;
        long wqStart = 28 + 4L * ((long)config.VocabSize * d + (long)layers * d);  // header, embedding, attention norms
        long wkStart = wqStart + 4L * layers * d * d;
        var raw = System.IO.File.ReadAllBytes(SharedData.Stories260K);
        foreach (var (name, start, count) in new[] { ("blk.0.attn_q.weight", wqStart, d * d), ("blk.0.attn_k.weight", wkStart, kvDim * d) })
        {
            var stored = new float[count];
            file.ReadInto(file.FindTensor(name)!, stored);
            var expected = new float[count];
            Buffer.BlockCopy(raw, (int)start, expected, 0, count * 4);
            Assert.Equal(expected, stored);
        }
    }

    [Fact]
    public void Pruned_layers_round_trip_with_per_layer_arrays_and_identical_logits()
    {
        var config = TinyModels.Config(tied: false) with { NumHiddenLayers = 3 };
        LayerShape[] shapes = [new(4, 2, 37), new(2, 1, 20), new(4, 1, 5)];
        var weights = FormatsTestData.SeededWeights(config, shapes);
        using var temp = new TempFolder();
        string path = temp.File("pruned.gguf");

        GgufWriter.Save(path, weights, null, GgmlType.F32, "pruned test");
        var (loadedConfig, loaded) = GgufModel.Load(path);

        FormatsTestData.AssertIdentical(weights, loaded);
        Assert.Equal(shapes, loaded.LayerShapes);
        using (var file = GgufFile.Read(path))
        {
            // llama.cpp's llama loader takes layer 0's counts for every layer; its deci loader reads them per layer
            Assert.Equal("deci", file.Find("general.architecture")!.AsString());
            Assert.Null(file.Find("llama.block_count"));
            Assert.Equal([4L, 2, 4], file.Find("deci.attention.head_count")!.AsIntegerArray()!);
            Assert.Equal([2L, 1, 1], file.Find("deci.attention.head_count_kv")!.AsIntegerArray()!);
            Assert.Equal([37L, 20, 5], file.Find("deci.feed_forward_length")!.AsIntegerArray()!);
            Assert.Equal(GgufValueType.UInt32, file.Find("deci.attention.head_count")!.ElementType);
            Assert.Equal("pruned test", file.Find("general.name")!.AsString());
            Assert.Equal([24L, 16], file.FindTensor("blk.1.attn_q.weight")!.Dims);  // ne[0] = in-features
            Assert.Equal([16L, 24], file.FindTensor("blk.1.attn_output.weight")!.Dims);
            Assert.Equal([5L, 24], file.FindTensor("blk.2.ffn_down.weight")!.Dims);
        }
        Assert.Equal(config.NumAttentionHeads, loadedConfig.NumAttentionHeads);
        AssertLogits(weights, loaded, [3, 17, 0, 28, 5, 5, 11], tolerance: 0f);
    }

    [Fact]
    public void Uniformly_pruned_model_writes_scalars_that_match_its_shapes()
    {
        var config = TinyModels.Config(tied: true);
        LayerShape[] shapes = [new(2, 1, 19), new(2, 1, 19)];
        var weights = FormatsTestData.SeededWeights(config, shapes);
        using var temp = new TempFolder();
        string path = temp.File("uniform.gguf");

        GgufWriter.Save(path, weights);
        var (loadedConfig, loaded) = GgufModel.Load(path);

        using (var file = GgufFile.Read(path))
        {
            Assert.Equal(GgufValueType.UInt32, file.Find("llama.attention.head_count")!.Type);
            Assert.Equal(2L, file.Find("llama.attention.head_count")!.AsInteger());
            Assert.Equal(1L, file.Find("llama.attention.head_count_kv")!.AsInteger());
            Assert.Equal(19L, file.Find("llama.feed_forward_length")!.AsInteger());
            Assert.Null(file.FindTensor("output.weight")); // tied: no output tensor
        }
        Assert.Equal((2, 1, 19, true), (loadedConfig.NumAttentionHeads, loadedConfig.NumKeyValueHeads, loadedConfig.IntermediateSize, loadedConfig.TieWordEmbeddings));
        Assert.Equal(shapes, loaded.LayerShapes);
        AssertLogits(weights, loaded, [1, 2, 3, 4], tolerance: 0f);
    }

    [Fact]
    public void Writing_leaves_the_models_own_q_and_k_in_rotate_half_order()
    {
        var weights = FormatsTestData.SeededWeights(TinyModels.Config(tied: false));
        var before = FormatsTestData.Bits(weights.Layers[0].Wq);
        using var temp = new TempFolder();

        GgufWriter.Save(temp.File("m.gguf"), weights);

        Assert.Equal(before, FormatsTestData.Bits(weights.Layers[0].Wq));
    }

    /// <summary>Both models decoded token by token; every logit within <paramref name="tolerance"/> of the largest magnitude.</summary>
    private static void AssertLogits(LlamaWeights expected, LlamaWeights actual, int[] tokens, float tolerance)
    {
        var a = new CachedDecoder(expected, null, tokens.Length);
        var b = new CachedDecoder(actual, null, tokens.Length);
        for (int position = 0; position < tokens.Length; position++)
        {
            float[] want = a.Step(tokens[position], position).ToArray();
            float[] got = b.Step(tokens[position], position).ToArray();
            if (tolerance == 0f)
            {
                Assert.Equal(want, got);
                continue;
            }
            float scale = want.Max(MathF.Abs);
            float worst = want.Zip(got, (x, y) => MathF.Abs(x - y)).Max();
            Assert.True(worst <= tolerance * scale, $"position {position}: logits differ by {worst} (scale {scale})");
        }
    }
}
