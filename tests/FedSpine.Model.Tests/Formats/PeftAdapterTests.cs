// PEFT adapter folders: exact key listing and adapter_config.json against a hand-written listing, bitwise round trip with
// mixed ranks (rank_pattern), and clear errors for adapters that do not fit the model, unknown keys and missing fields.
using System.Text.Json.Nodes;
using FedSpine.Model.Formats;
using FedSpine.Model.Lora;
using FedSpine.Tensors;

namespace FedSpine.Model.Tests.Formats;

public class PeftAdapterTests
{
    /// <summary>Layer 0 dense (4 heads, 2 KV heads, 24 channels), layer 1 pruned (2, 1, 10); head_dim 6, hidden 16.</summary>
    private static readonly LayerShape[] PrunedShapes = [new(4, 2, 24), new(2, 1, 10)];

    [Fact]
    public void Saved_folder_has_exactly_the_PEFT_keys_shapes_and_config_fields()
    {
        var model = FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied: false), PrunedShapes);
        // q and k rank 4 everywhere, v rank 4 then 2, down rank 2: r = 4 (most common), v of layer 1 and down_proj in rank_pattern.
        var lora = LoraWeights.Allocate(model.Config, model.LayerShapes, (layer, target) => target switch
        {
            LoraTarget.Q or LoraTarget.K => 4,
            LoraTarget.V => layer == 0 ? 4 : 2,
            LoraTarget.Down => 2,
            _ => 0,
        }, alpha: 8f);
        using var temp = new TempFolder();

        PeftAdapter.Save(temp.Path, lora, "stories260K-pruned");

        Assert.Equal(["adapter_config.json", "adapter_model.safetensors"], Directory.GetFiles(temp.Path).Select(Path.GetFileName).Order());
        using var file = SafeTensorsFile.Open(temp.File("adapter_model.safetensors"));
        string listing = string.Join("\n", file.Entries.Select(e => $"{e.Name} {e.Dtype} {Tensor.ShapeText(e.Shape)}"));
        Assert.Equal("""
            base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight F32 [4, 16]
            base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight F32 [24, 4]
            base_model.model.model.layers.0.self_attn.k_proj.lora_A.weight F32 [4, 16]
            base_model.model.model.layers.0.self_attn.k_proj.lora_B.weight F32 [12, 4]
            base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight F32 [4, 16]
            base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight F32 [12, 4]
            base_model.model.model.layers.0.mlp.down_proj.lora_A.weight F32 [2, 24]
            base_model.model.model.layers.0.mlp.down_proj.lora_B.weight F32 [16, 2]
            base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight F32 [4, 16]
            base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight F32 [12, 4]
            base_model.model.model.layers.1.self_attn.k_proj.lora_A.weight F32 [4, 16]
            base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight F32 [6, 4]
            base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight F32 [2, 16]
            base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight F32 [6, 2]
            base_model.model.model.layers.1.mlp.down_proj.lora_A.weight F32 [2, 10]
            base_model.model.model.layers.1.mlp.down_proj.lora_B.weight F32 [16, 2]
            """.ReplaceLineEndings("\n"), listing);
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal("""
            {
              "alpha_pattern": {},
              "auto_mapping": null,
              "base_model_name_or_path": "stories260K-pruned",
              "bias": "none",
              "fan_in_fan_out": false,
              "inference_mode": true,
              "init_lora_weights": true,
              "layers_pattern": null,
              "layers_to_transform": null,
              "lora_alpha": 8,
              "lora_dropout": 0.0,
              "modules_to_save": null,
              "peft_type": "LORA",
              "r": 4,
              "rank_pattern": {
                "layers.1.self_attn.v_proj": 2,
                "down_proj": 2
              },
              "revision": null,
              "target_modules": [
                "q_proj",
                "k_proj",
                "v_proj",
                "down_proj"
              ],
              "task_type": "CAUSAL_LM",
              "use_dora": false,
              "use_rslora": false
            }
            """.ReplaceLineEndings("\n"), File.ReadAllText(temp.File("adapter_config.json")).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Mixed_rank_adapters_round_trip_bit_for_bit()
    {
        var model = TinyModels.Random(TinyModels.Config(tied: false), 31);
        var lora = TinyModels.RandomLora(model, 32); // ranks 1 to 4, differing per layer and module
        using var temp = new TempFolder();

        PeftAdapter.Save(temp.Path, lora, null);
        var loaded = PeftAdapter.Load(temp.Path, model);

        Assert.Equal(lora.Alpha, loaded.Alpha);
        var expected = lora.Adapters.ToList();
        var actual = loaded.Adapters.ToList();
        Assert.Equal(expected.Select(a => (a.Module, a.Adapter.Rank)), actual.Select(a => (a.Module, a.Adapter.Rank)));
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(FormatsTestData.Bits(expected[i].Adapter.A), FormatsTestData.Bits(actual[i].Adapter.A));
            Assert.Equal(FormatsTestData.Bits(expected[i].Adapter.B), FormatsTestData.Bits(actual[i].Adapter.B));
        }
        var config = PeftAdapterConfig.Read(temp.File(PeftAdapterConfig.FileName));
        Assert.NotEmpty(config.RankPattern);
        Assert.All(expected, a => Assert.Equal(a.Adapter.Rank, config.RankOf(a.Module))); // PEFT's own rank lookup agrees
    }

    [Fact]
    public void Adapters_on_some_layers_only_list_full_module_names()
    {
        var model = TinyModels.Random(TinyModels.Config(tied: true), 33);
        var lora = LoraWeights.Allocate(model.Config, model.LayerShapes, (layer, target) => layer == 1 && target == LoraTarget.Up ? 3 : 0, 2f);
        using var temp = new TempFolder();

        PeftAdapter.Save(temp.Path, lora, "base");
        var config = PeftAdapterConfig.Read(temp.File(PeftAdapterConfig.FileName));
        var loaded = PeftAdapter.Load(temp.Path, model);

        Assert.Equal(["model.layers.1.mlp.up_proj"], config.TargetModules);
        Assert.False(config.Targets("model.layers.0.mlp.up_proj", 0));
        Assert.Equal([("model.layers.1.mlp.up_proj", 3)], loaded.Adapters.Select(a => (a.Module, a.Adapter.Rank)));
    }

    [Fact]
    public void Adapter_for_other_shapes_is_rejected_naming_file_and_key()
    {
        var dense = FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied: false));
        var pruned = FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied: false), PrunedShapes);
        var lora = LoraWeights.Allocate(dense, [LoraTarget.Q, LoraTarget.Gate], 2, 4f);
        using var temp = new TempFolder();
        PeftAdapter.Save(temp.Path, lora, null);

        var e = Assert.Throws<InvalidDataException>(() => PeftAdapter.Load(temp.Path, pruned));

        AssertMentions(e, temp.File("adapter_model.safetensors"));
        AssertMentions(e, "'base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight' has shape [24, 2]");
        AssertMentions(e, "needs [12, 2]");
    }

    [Fact]
    public void Rank_beyond_the_pruned_module_is_rejected()
    {
        var pruned = FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied: false), PrunedShapes);
        using var temp = new TempFolder();
        // k_proj of layer 1 is [6, 16]: rank 8 has consistent factor shapes but exceeds min(6, 16).
        WriteAdapter(temp, """{"peft_type": "LORA", "r": 8, "lora_alpha": 16, "target_modules": ["model.layers.1.self_attn.k_proj"]}""",
            ("base_model.model.model.layers.1.self_attn.k_proj.lora_A.weight", [8, 16]),
            ("base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight", [6, 8]));

        var e = Assert.Throws<InvalidDataException>(() => PeftAdapter.Load(temp.Path, pruned));

        AssertMentions(e, "has rank 8, which must be 1 to 6");
    }

    [Theory]
    [InlineData("""{"peft_type": "LORA", "lora_alpha": 16, "target_modules": ["q_proj"]}""", "missing field 'r'")]
    [InlineData("""{"peft_type": "LORA", "r": 2, "target_modules": ["q_proj"]}""", "missing field 'lora_alpha'")]
    [InlineData("""{"peft_type": "LORA", "r": 2, "lora_alpha": 16}""", "missing field 'target_modules'")]
    [InlineData("""{"r": 2, "lora_alpha": 16, "target_modules": ["q_proj"]}""", "missing field 'peft_type'")]
    [InlineData("""{"peft_type": "IA3", "r": 2, "lora_alpha": 16, "target_modules": ["q_proj"]}""", "only 'LORA'")]
    [InlineData("""{"peft_type": "LORA", "r": 2, "lora_alpha": 16, "target_modules": ["q_proj"], "use_rslora": true}""", "'use_rslora' is true")]
    [InlineData("""{"peft_type": "LORA", "r": 2, "lora_alpha": 16, "target_modules": ["q_proj"], "alpha_pattern": {"q_proj": 4}}""", "one lora_alpha")]
    [InlineData("""{"peft_type": "LORA", "r": 2, "lora_alpha": 16, "target_modules": ["q_proj"], "rank_pattern": {"(": 4}}""", "not a valid regular expression")]
    [InlineData("""{"peft_type": "LORA", "r": 3, "lora_alpha": 16, "target_modules": ["q_proj"]}""", "gives model.layers.0.self_attn.q_proj rank 3")]
    [InlineData("""{"peft_type": "LORA", "r": 2, "lora_alpha": 16, "target_modules": ["v_proj"]}""", "does not select")]
    [InlineData("""{"peft_type": "LORA", "r": 2, "lora_alpha": 16, "target_modules": ["q_proj", "k_proj"]}""", "selects 'model.layers.0.self_attn.k_proj'")]
    [InlineData("""{"peft_type": "LORA", "r": 2, "lora_alpha": 16, "target_modules": ["q_proj"]""", "not valid JSON")]
    public void Bad_config_is_rejected_naming_the_file_and_the_field(string json, string expected)
    {
        var model = FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied: false));
        using var temp = new TempFolder();
        WriteAdapter(temp, json,
            ("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", [2, 16]),
            ("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight", [24, 2]),
            ("base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight", [2, 16]),
            ("base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight", [24, 2]));

        var e = Assert.Throws<InvalidDataException>(() => PeftAdapter.Load(temp.Path, model));

        AssertMentions(e, temp.Path);
        AssertMentions(e, expected);
    }

    [Theory]
    [InlineData("base_model.model.lm_head.lora_A.weight", "unknown key 'base_model.model.lm_head.lora_A.weight'")]
    [InlineData("base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight", "unknown key")]
    [InlineData("base_model.model.model.layers.0.self_attn.rotary.lora_A.weight", "unknown key")]
    [InlineData("base_model.model.model.layers.9.self_attn.q_proj.lora_A.weight", "names layer 9, the model has 2 layers")]
    [InlineData("base_model.model.model.layers.1.mlp.up_proj.lora_A.weight", "missing key 'base_model.model.model.layers.1.mlp.up_proj.lora_B.weight'")]
    public void Unknown_or_unpaired_keys_are_rejected_by_name(string extraKey, string expected)
    {
        var model = FormatsTestData.SeededWeights(FormatsTestData.TinyConfig(tied: false));
        using var temp = new TempFolder();
        WriteAdapter(temp, """{"peft_type": "LORA", "r": 2, "lora_alpha": 16, "target_modules": ["model.layers.0.self_attn.q_proj"]}""",
            ("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", [2, 16]),
            ("base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight", [24, 2]),
            (extraKey, [2, 16]));

        var e = Assert.Throws<InvalidDataException>(() => PeftAdapter.Load(temp.Path, model));

        AssertMentions(e, temp.File("adapter_model.safetensors"));
        AssertMentions(e, expected);
    }

    [Fact]
    public void Config_written_here_parses_as_plain_JSON_with_PEFT_types()
    {
        var model = TinyModels.Random(TinyModels.Config(tied: false), 34);
        using var temp = new TempFolder();
        PeftAdapter.Save(temp.Path, LoraWeights.Allocate(model, [LoraTarget.V], 2, 2.5f), "m");

        var json = JsonNode.Parse(File.ReadAllText(temp.File(PeftAdapterConfig.FileName)))!.AsObject();

        Assert.Equal(2.5, json["lora_alpha"]!.GetValue<double>());
        Assert.Equal(2, json["r"]!.GetValue<int>());
        Assert.Equal(["v_proj"], json["target_modules"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Empty(json["rank_pattern"]!.AsObject());
    }

    private static void AssertMentions(Exception e, string expected) =>
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"message lacks \"{expected}\": {e.Message}");

    private static void WriteAdapter(TempFolder temp, string configJson, params (string Name, int[] Shape)[] tensors)
    {
        File.WriteAllText(temp.File(PeftAdapterConfig.FileName), configJson);
        SafeTensorsFile.Write(temp.File(PeftAdapter.WeightsFileName),
            tensors.Select((t, i) => new KeyValuePair<string, Tensor>(t.Name, FormatsTestData.Seeded(i, t.Shape))).ToList());
    }
}
