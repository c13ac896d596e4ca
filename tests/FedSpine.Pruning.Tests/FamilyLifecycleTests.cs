// Each family checkpoint of tests/fixtures/hf-families goes through what a device does: a few LoRA steps, magnitude
// pruning to half (qwen2 biases sliced with their heads), export as HF folder, PEFT adapter and GGUF, and reload with the
// same logits (adapters applied).
using FedSpine.Model;
using FedSpine.Model.Formats;
using FedSpine.Model.Lora;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Pruning.Tests;

public class FamilyLifecycleTests
{
    public static TheoryData<string> Families => new(["tinyllama", "smollm2", "llama32", "llama32-instruct", "qwen25", "mistral", "llama-linear", "llama-dynamic"]);

    [Theory]
    [MemberData(nameof(Families))]
    public void LoraPruneExportReload(string family)
    {
        string folder = Path.Combine(SharedData.RepoRoot!, "tests", "fixtures", "hf-families", family);
        var (config, model) = HfModelFolder.Load(folder);
        const int tokens = 40;
        var rng = new Rng(5);
        int[] ids = Enumerable.Range(0, tokens + 1).Select(_ => rng.NextInt(Math.Min(config.VocabSize, 96))).ToArray();
        int[] inputs = ids[..tokens], targets = ids[1..];

        var lora = LoraWeights.Allocate(model, LoraTargets.All, rank: 4, alpha: 8);
        lora.InitializeForTraining(new Rng(6));
        var grads = lora.ZerosLike();
        var parameters = ParameterSet.FromLora(lora, grads);
        var optimizer = new AdamWOptimizer(parameters, new AdamWSettings(LearningRate: 1e-2f, WeightDecay: 0f));
        float first = 0, last = 0;
        using (var graph = new TrainingGraph(model, lora, null, grads, 1, tokens))
        {
            for (int step = 0; step < 5; step++)
            {
                parameters.ZeroGradients();
                last = graph.ForwardBackward(inputs, targets);
                first = step == 0 ? last : first;
                optimizer.Step();
            }
        }
        Assert.True(float.IsFinite(last) && last < first, $"{family}: LoRA loss {first} -> {last}");

        var importance = StructuredPruner.Score(model, new MagnitudeImportance(), lora);
        var pruned = StructuredPruner.Prune(model, importance, 0.5, null, lora);
        Assert.True(pruned.Weights.ParameterCount < model.ParameterCount);
        Assert.Equal(config.HasQkvBias, pruned.Weights.Layers[0].Bq is not null);
        float[] expected = TinyModels.Logits(pruned.Weights, pruned.Lora, inputs, 1);

        string temp = Directory.CreateTempSubdirectory("fedspine-family-life-").FullName;
        try
        {
            HfModelFolder.Save(Path.Combine(temp, "hf"), pruned.Weights);
            PeftAdapter.Save(Path.Combine(temp, "peft"), pruned.Lora!, "hf");
            var (hfConfig, hfModel) = HfModelFolder.Load(Path.Combine(temp, "hf"));
            Assert.Equal(config.ModelType, hfConfig.ModelType);
            Assert.Equal(config.RopeScaling, hfConfig.RopeScaling);
            var peft = PeftAdapter.Load(Path.Combine(temp, "peft"), hfModel);
            Assert.Equal(expected, TinyModels.Logits(hfModel, peft, inputs, 1));
            if (config.RopeScaling?.Type == "dynamic" || config.AttentionWindow > 0) // no GGUF llama.cpp computes alike
            {
                Assert.Throws<InvalidDataException>(() => GgufWriter.Save(Path.Combine(temp, "m.gguf"), pruned.Weights));
                return;
            }
            GgufWriter.Save(Path.Combine(temp, "m.gguf"), pruned.Weights);
            var (_, ggufModel) = GgufModel.Load(Path.Combine(temp, "m.gguf"));
            TinyModels.AssertClose(expected, TinyModels.Logits(ggufModel, PeftAdapter.Load(Path.Combine(temp, "peft"), ggufModel), inputs, 1), 1e-5f);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }
}
