// stories260K converted from llama2.c .bin to a Hugging Face folder (config.json, safetensors, tokenizer.json) reads
// back as the same model: identical logits in f32, close in bf16, and the same golden greedy text.
using System.Text;
using System.Text.Json;
using FedSpine.Model.Formats;
using FedSpine.Model.Inference;
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Tests;

public sealed class ConversionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fedspine-conv-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [SharedDataFact]
    public void BinToHfFolderGivesIdenticalLogits()
    {
        var (_, original) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        HfModelFolder.Save(_dir, original);
        var (config, reloaded) = HfModelFolder.Load(_dir);
        Assert.Equal(original.Config, config);
        int[] tokens = [1, 403, 407, 261, 378, 43, 9, 70];
        var a = new CachedDecoder(original, null, 16);
        var b = new CachedDecoder(reloaded, null, 16);
        for (int pos = 0; pos < tokens.Length; pos++)
        {
            Assert.Equal(a.Step(tokens[pos], pos), b.Step(tokens[pos], pos));
        }
    }

    [SharedDataFact]
    public void Bf16FolderStaysClose()
    {
        var (_, original) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        HfModelFolder.Save(_dir, original, SafeTensorsDtype.BF16);
        var (_, reloaded) = HfModelFolder.Load(_dir);
        var a = new CachedDecoder(original, null, 4).Step(1, 0).ToArray();
        var b = new CachedDecoder(reloaded, null, 4).Step(1, 0).ToArray();
        LoraMergeTests.AssertClose(a, b, 0.05f);
        Assert.NotEqual(a, b);
    }

    [SharedDataFact]
    public void HfFolderWithConvertedTokenizerGeneratesTheGoldenText()
    {
        var (_, original) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        HfModelFolder.Save(_dir, original);
        HfTokenizer.FromLlama2c(Llama2cTokenizer.Load(SharedData.Tok512)).Save(Path.Combine(_dir, "tokenizer.json"));
        var loaded = ModelLoader.Load(_dir, null);
        Assert.IsType<HfTokenizer>(loaded.Tokenizer);
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedData.File("models/stories260K/golden_greedy.json")));
        var c = doc.RootElement.GetProperty("cases")[3];
        var result = TextGenerator.Generate(loaded.Weights, loaded.Tokenizer!, c.GetProperty("prompt").GetString()!,
            c.GetProperty("steps").GetInt32(), new RunCSampler(512, 0f, 0.9f, 1));
        Assert.Equal(c.GetProperty("text").GetString(), Encoding.UTF8.GetString(result.Output));
    }
}
