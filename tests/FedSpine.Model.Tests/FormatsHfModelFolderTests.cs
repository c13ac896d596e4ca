// Hugging Face folders: bitwise round trips (single file and sharded, tied and untied, pruned per-layer shapes,
// narrow dtypes), config.json defaults, and clear errors for tensors that disagree with the config or are unknown/missing.
using System.Text.Json.Nodes;
using FedSpine.Model.Formats;
using FedSpine.Tensors;

namespace FedSpine.Model.Tests;

public class FormatsHfModelFolderTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Round_trip_is_bitwise(bool tied, bool sharded)
    {
        var weights = FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied));
        using var temp = new TempFolder();

        HfModelFolder.Save(temp.Path, weights, maxShardBytes: sharded ? 1500 : HfModelFolder.DefaultMaxShardBytes);
        var (config, loaded) = HfModelFolder.Load(temp.Path);

        FormatsTestData.AssertSameConfig(weights.Config, config);
        FormatsTestData.AssertIdentical(weights, loaded);
        Assert.Equal(tied, loaded.Find("lm_head.weight") is null);
        Assert.Same(loaded.TokenEmbedding, tied ? loaded.LmHead : loaded.TokenEmbedding);
        Assert.Equal(!sharded, File.Exists(temp.File("model.safetensors")));
        Assert.Equal(sharded, File.Exists(temp.File(SafeTensorsIndex.FileName)));
        int shards = Directory.GetFiles(temp.Path, "model-*-of-*.safetensors").Length;
        Assert.True(sharded ? shards > 2 : shards == 0, $"{shards} shards");
    }

    [Fact]
    public void Shards_respect_the_size_limit_and_the_index_lists_every_tensor()
    {
        var weights = FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied: false));
        using var temp = new TempFolder();

        HfModelFolder.Save(temp.Path, weights, maxShardBytes: 1500);

        var map = SafeTensorsIndex.Read(temp.File(SafeTensorsIndex.FileName));
        Assert.Equal(weights.NamedTensors.Select(t => t.Key).Order(), map.Keys.Order());
        foreach (string shard in map.Values.Distinct())
        {
            using var file = SafeTensorsFile.Open(temp.File(shard));
            long bytes = file.Entries.Sum(e => e.End - e.Begin);
            Assert.True(bytes <= 1500 || file.Entries.Count == 1, $"{shard}: {bytes} bytes in {file.Entries.Count} tensors");
            Assert.Equal("pt", file.Metadata["format"]);
        }
        var index = JsonNode.Parse(File.ReadAllText(temp.File(SafeTensorsIndex.FileName)))!;
        Assert.Equal(weights.ParameterCount * 4, index["metadata"]!["total_size"]!.GetValue<long>());
    }

    [Fact]
    public void Pruned_layers_with_different_shapes_round_trip()
    {
        var config = FormatsTestData.TinyConfig(tied: false);
        LayerShape[] shapes = [new(4, 2, 24), new(2, 1, 10)];
        var weights = FormatsTestData.SeededWeights(config, shapes);
        using var temp = new TempFolder();

        HfModelFolder.Save(temp.Path, weights, maxShardBytes: 2000);
        var (_, loaded) = HfModelFolder.Load(temp.Path);

        Assert.Equal(shapes, loaded.LayerShapes);
        FormatsTestData.AssertIdentical(weights, loaded);
    }

    [Theory]
    [InlineData(SafeTensorsDtype.F16, "float16")]
    [InlineData(SafeTensorsDtype.BF16, "bfloat16")]
    public void Narrow_dtypes_store_rounded_values_and_say_so_in_config(SafeTensorsDtype dtype, string torchName)
    {
        var weights = FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied: true));
        using var temp = new TempFolder();

        HfModelFolder.Save(temp.Path, weights, dtype);
        var (config, loaded) = HfModelFolder.Load(temp.Path);

        Assert.Equal(torchName, config.TorchDtype);
        var expected = weights.Layers[1].Up.Span.ToArray().Select(v => dtype == SafeTensorsDtype.F16
            ? FloatEncoding.HalfToSingle(FloatEncoding.SingleToHalf(v))
            : FloatEncoding.BFloat16ToSingle(FloatEncoding.SingleToBFloat16(v)));
        Assert.Equal(expected, loaded.Layers[1].Up.Span.ToArray());
    }

    [Fact]
    public void Saving_sharded_over_a_single_file_model_removes_the_stale_file_and_back()
    {
        var weights = FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied: true));
        using var temp = new TempFolder();
        HfModelFolder.Save(temp.Path, weights);

        HfModelFolder.Save(temp.Path, weights, maxShardBytes: 1000);
        Assert.False(File.Exists(temp.File("model.safetensors")));
        HfModelFolder.Save(temp.Path, weights);
        Assert.False(File.Exists(temp.File(SafeTensorsIndex.FileName)));

        FormatsTestData.AssertIdentical(weights, HfModelFolder.Load(temp.Path).Weights);
    }

    [Fact]
    public void Missing_head_dim_and_kv_heads_take_HF_defaults()
    {
        var config = FormatsTestData.TinyConfig(tied: true) with { HeadDim = 4, NumKeyValueHeads = 4 };
        var weights = FormatsTestData.SeededWeights(config);
        using var temp = new TempFolder();
        HfModelFolder.Save(temp.Path, weights);
        EditConfig(temp, json =>
        {
            json.Remove("head_dim");
            json.Remove("num_key_value_heads");
        });

        var (loadedConfig, _) = HfModelFolder.Load(temp.Path);

        Assert.Equal(16 / 4, loadedConfig.HeadDim);
        Assert.Equal(4, loadedConfig.NumKeyValueHeads);
    }

    [Theory]
    [InlineData("hidden_size", 32, "model.layers.0.self_attn.q_proj.weight")]
    [InlineData("vocab_size", 12, "model.embed_tokens.weight")]
    [InlineData("num_attention_heads", 2, "model.layers.0.self_attn.q_proj.weight")]
    [InlineData("intermediate_size", 20, "model.layers.0.mlp.gate_proj.weight")]
    [InlineData("head_dim", 4, "model.layers.0.self_attn.q_proj.weight")]
    public void Config_disagreeing_with_tensors_names_file_and_tensor(string key, int value, string tensor)
    {
        var weights = FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied: false));
        using var temp = new TempFolder();
        HfModelFolder.Save(temp.Path, weights);
        EditConfig(temp, json => json[key] = value);

        var e = Assert.Throws<InvalidDataException>(() => HfModelFolder.Load(temp.Path));

        Assert.Contains(temp.File("model.safetensors"), e.Message, StringComparison.Ordinal);
        Assert.Contains(tensor, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_tensor_is_an_error_naming_it()
    {
        var weights = FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied: false));
        using var temp = new TempFolder();
        HfModelFolder.Save(temp.Path, weights);
        var tensors = weights.NamedTensors.Append(new("model.layers.0.self_attn.q_norm.weight", new Tensor(6))).ToList();
        SafeTensorsFile.Write(temp.File("model.safetensors"), tensors);

        var e = Assert.Throws<InvalidDataException>(() => HfModelFolder.Load(temp.Path));

        Assert.Contains("unknown tensor 'model.layers.0.self_attn.q_norm.weight'", e.Message, StringComparison.Ordinal);
        Assert.Contains(temp.File("model.safetensors"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extra_layer_and_a_different_lm_head_of_a_tied_model_are_refused()
    {
        var untied = FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied: false));
        using var temp = new TempFolder();
        HfModelFolder.Save(temp.Path, untied);
        EditConfig(temp, json => json["tie_word_embeddings"] = true);
        var e = Assert.Throws<InvalidDataException>(() => HfModelFolder.Load(temp.Path));
        Assert.Contains("stored 'lm_head.weight' differs from model.embed_tokens.weight", e.Message, StringComparison.Ordinal); // HF would ignore it
        Assert.Contains("tie_word_embeddings", e.Message, StringComparison.Ordinal);

        EditConfig(temp, json =>
        {
            json["tie_word_embeddings"] = false;
            json["num_hidden_layers"] = 1;
        });
        e = Assert.Throws<InvalidDataException>(() => HfModelFolder.Load(temp.Path));
        Assert.Contains("unknown tensor 'model.layers.1.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_tensor_is_an_error_naming_the_listing_file()
    {
        var weights = FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied: false));
        using var temp = new TempFolder();
        HfModelFolder.Save(temp.Path, weights, maxShardBytes: 1500);
        var map = SafeTensorsIndex.Read(temp.File(SafeTensorsIndex.FileName));
        map.Remove("model.layers.1.mlp.down_proj.weight");
        SafeTensorsIndex.Write(temp.File(SafeTensorsIndex.FileName), 0, map);

        var e = Assert.Throws<InvalidDataException>(() => HfModelFolder.Load(temp.Path));

        Assert.Contains("missing tensor 'model.layers.1.mlp.down_proj.weight'", e.Message, StringComparison.Ordinal);
        Assert.Contains(temp.File(SafeTensorsIndex.FileName), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Index_naming_a_missing_shard_is_an_error()
    {
        var weights = FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied: true));
        using var temp = new TempFolder();
        HfModelFolder.Save(temp.Path, weights, maxShardBytes: 1500);
        File.Delete(Directory.GetFiles(temp.Path, "model-00002-*.safetensors").Single());

        var e = Assert.Throws<InvalidDataException>(() => HfModelFolder.Load(temp.Path));

        Assert.Contains("model-00002-of-", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pruned_layer_must_keep_whole_query_groups_per_kv_head()
    {
        var config = FormatsTestData.TinyConfig(tied: true);
        var weights = FormatsTestData.SeededWeights(config, [new(4, 2, 24), new(3, 2, 24)]);
        using var temp = new TempFolder();
        HfModelFolder.Save(temp.Path, weights);

        var e = Assert.Throws<InvalidDataException>(() => HfModelFolder.Load(temp.Path));

        Assert.Contains("model.layers.1.self_attn.k_proj.weight", e.Message, StringComparison.Ordinal);
        Assert.Contains("divide the layer's 3 query heads", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_finite_values_are_reported_only_when_asked()
    {
        var weights = FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied: true));
        weights.Layers[1].Wv.Span[5] = float.NaN;
        using var temp = new TempFolder();
        HfModelFolder.Save(temp.Path, weights);

        Assert.True(float.IsNaN(HfModelFolder.Load(temp.Path).Weights.Layers[1].Wv.Span[5]));
        var e = Assert.Throws<InvalidDataException>(() => HfModelFolder.Load(temp.Path, checkFinite: true));
        Assert.Contains("'model.layers.1.self_attn.v_proj.weight' holds NaN at flat index 5", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_config_json_names_the_file()
    {
        using var temp = new TempFolder();
        HfModelFolder.Save(temp.Path, FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied: true)));
        File.WriteAllText(temp.File("config.json"), "{\"hidden_size\": \"sixteen\"}");

        var e = Assert.Throws<InvalidDataException>(() => HfModelFolder.Load(temp.Path));

        Assert.Contains(temp.File("config.json"), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Folder_without_weights_says_what_is_missing()
    {
        using var temp = new TempFolder();
        HfModelFolder.Save(temp.Path, FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied: true)));
        File.Delete(temp.File("model.safetensors"));

        var e = Assert.Throws<FileNotFoundException>(() => HfModelFolder.Load(temp.Path));

        Assert.Contains("neither model.safetensors nor model.safetensors.index.json", e.Message, StringComparison.Ordinal);
    }

    private static void EditConfig(TempFolder temp, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(temp.File("config.json")))!.AsObject();
        edit(json);
        File.WriteAllText(temp.File("config.json"), json.ToJsonString());
    }
}
