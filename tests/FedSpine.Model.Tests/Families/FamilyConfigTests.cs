// What the family configs need beyond plain LLaMA: eos lists, Mistral's window default, qwen2 biases, a tied file that
// stores lm_head.weight, vocab_size above the tokenizer's; and one clear error naming each key that is not implemented.
using System.Text.Json.Nodes;
using FedSpine.Model.Formats;

namespace FedSpine.Model.Tests.Families;

public class FamilyConfigTests
{
    [Fact]
    public void EosListParsesAndRoundTrips()
    {
        var config = HfConfigJson.Read(Path.Combine(FamilyFixtures.Folder("llama32-instruct"), "config.json"));
        Assert.Equal([91, 94, 95], config.EosTokenIds);
        Assert.Equal(91, config.EosTokenId);
        using var temp = new TempCopy();
        string path = Path.Combine(temp.Path, "config.json");
        HfConfigJson.Write(path, config);
        Assert.Equal(config, HfConfigJson.Read(path));
        Assert.Contains("\"eos_token_id\": [", File.ReadAllText(path), StringComparison.Ordinal);
    }

    [Fact]
    public void FamilyKeysSurviveARoundTrip()
    {
        foreach (string family in FamilyFixtures.Names)
        {
            var config = HfConfigJson.Read(Path.Combine(FamilyFixtures.Folder(family), "config.json"));
            using var temp = new TempCopy();
            string path = Path.Combine(temp.Path, "config.json");
            HfConfigJson.Write(path, config);
            var again = HfConfigJson.Read(path);
            Assert.Equal(config, again);
            Assert.Equal(config.RopeScaling, again.RopeScaling);
            Assert.Equal(config.AttentionWindow, again.AttentionWindow);
        }
    }

    [Fact]
    public void MistralWindowDefaultsTo4096AndNullMeansNone()
    {
        using (var absent = FamilyFixtures.CopyWithConfig("mistral", c => c.Remove("sliding_window")))
        {
            Assert.Equal(4096, HfConfigJson.Read(Path.Combine(absent.Path, "config.json")).AttentionWindow);
        }
        using var none = FamilyFixtures.CopyWithConfig("mistral", c => c["sliding_window"] = null);
        var config = HfConfigJson.Read(Path.Combine(none.Path, "config.json"));
        Assert.Equal(0, config.AttentionWindow);
        string path = Path.Combine(none.Path, "config.json");
        HfConfigJson.Write(path, config);
        Assert.Equal(0, HfConfigJson.Read(path).AttentionWindow); // written as null, not dropped (absent would mean 4096)
    }

    [Fact]
    public void AbsentRmsNormEpsIsHfsDefault()
    {
        using var temp = FamilyFixtures.CopyWithConfig("tinyllama", c => c.Remove("rms_norm_eps"));
        Assert.Equal(1e-6f, HfConfigJson.Read(Path.Combine(temp.Path, "config.json")).RmsNormEps);
    }

    [Fact]
    public void Qwen2LoadsItsBiasesAndKeepsExtraVocabularyRows()
    {
        var (config, model) = HfModelFolder.Load(FamilyFixtures.Folder("qwen25"));
        Assert.True(config.HasQkvBias);
        Assert.Equal(544, config.VocabSize);
        Assert.Equal(544, model.TokenEmbedding.Dim(0));
        Assert.All(model.Layers, l => Assert.True(l.Bq is not null && l.Bk is not null && l.Bv is not null));
        Assert.Contains(model.NamedTensors, t => t.Key == "model.layers.1.self_attn.k_proj.bias");
    }

    [SharedDataFact]
    public void Qwen2LoadsWithATokenizerSmallerThanVocabSize()
    {
        var loaded = ModelLoader.Load(FamilyFixtures.Folder("qwen25"), SharedData.Tok512);
        Assert.Equal(512, loaded.Tokenizer!.VocabSize);
        Assert.Equal(544, loaded.Weights.Config.VocabSize);
    }

    [SharedDataFact]
    public void GenerationSkipsIdsBeyondTheTokenizer()
    {
        var loaded = ModelLoader.Load(FamilyFixtures.Folder("qwen25"), SharedData.Tok512);
        var embedding = loaded.Weights.TokenEmbedding.Span; // tied: rows 512..543 are also the head's, made to win
        int d = loaded.Weights.Config.HiddenSize;
        System.Numerics.Tensors.TensorPrimitives.Multiply(embedding[(512 * d)..], 8f, embedding[(512 * d)..]);
        var sampler = new Inference.RunCSampler(loaded.Weights.Config.VocabSize, 1f, 1f, 7);
        var result = Inference.TextGenerator.Generate(loaded.Weights, loaded.Tokenizer!, "Once", 30, sampler);
        Assert.Equal(30, result.Positions);
    }

    [Fact]
    public void TiedFileWithAnEqualLmHeadLoadsAndADifferentOneIsRefused()
    {
        var (config, model) = HfModelFolder.Load(FamilyFixtures.Folder("smollm2"));
        Assert.True(config.TieWordEmbeddings);
        Assert.Same(model.TokenEmbedding, model.LmHead);

        using var temp = FamilyFixtures.CopyWithConfig("smollm2", _ => { });
        var tensors = model.NamedTensors.ToList();
        var head = model.TokenEmbedding.Clone();
        head.Span[0] += 1f;
        tensors.Add(new("lm_head.weight", head));
        SafeTensorsFile.Write(Path.Combine(temp.Path, "model.safetensors"), tensors, SafeTensorsDtype.F32, new Dictionary<string, string> { ["format"] = "pt" });
        var e = Assert.Throws<InvalidDataException>(() => HfModelFolder.Load(temp.Path));
        Assert.Contains("tie_word_embeddings", e.Message, StringComparison.Ordinal);
        Assert.Contains("lm_head.weight", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> RefusedKeys => new()
    {
        { "llama32", """{"rope_scaling": {"rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 64}}""", "rope_scaling" },
        { "llama32", """{"rope_scaling": {"type": "longrope", "factor": 4.0}}""", "longrope" },
        { "tinyllama", """{"model_type": "gemma"}""", "model_type" },
        { "tinyllama", """{"attention_bias": true}""", "attention_bias" },
        { "tinyllama", """{"mlp_bias": true}""", "mlp_bias" },
        { "tinyllama", """{"hidden_act": "gelu"}""", "hidden_act" },
        { "qwen25", """{"use_sliding_window": true}""", "use_sliding_window" },
        { "qwen25", """{"layer_types": ["full_attention", "sliding_attention"]}""", "layer_types" },
        { "tinyllama", """{"partial_rotary_factor": 0.5}""", "partial_rotary_factor" },
        { "mistral", """{"sliding_window": 0}""", "sliding_window" },
    };

    [Theory]
    [MemberData(nameof(RefusedKeys))]
    public void AKeyThatChangesTheMathsAndIsNotImplementedIsRefusedByName(string family, string patch, string key)
    {
        using var temp = FamilyFixtures.CopyWithConfig(family, c =>
        {
            foreach (var (name, value) in JsonNode.Parse(patch)!.AsObject().ToList())
            {
                c[name] = value?.DeepClone();
            }
        });
        var e = Assert.Throws<InvalidDataException>(() => HfModelFolder.Load(temp.Path));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message); // one `error:` line in the CLI
    }

    [Fact]
    public void KeysHfIgnoresForTheseFamiliesAreAccepted()
    {
        // SmolLM2's nanotron keys and Qwen2's unused window are not part of HF's computation for these model types.
        Assert.NotNull(HfConfigJson.Read(Path.Combine(FamilyFixtures.Folder("smollm2"), "config.json")).OtherKeys?["rope_interleaved"]);
        Assert.Equal(0, HfConfigJson.Read(Path.Combine(FamilyFixtures.Folder("qwen25"), "config.json")).AttentionWindow);
    }
}
