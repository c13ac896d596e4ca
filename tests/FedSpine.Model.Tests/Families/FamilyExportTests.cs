// Every family exports and reloads with the same logits: HF folder (config keys kept) and GGUF (qwen2 biases as
// blk.N.attn_q.bias etc., rope scaling, window and model_type in metadata); dynamic NTK has no GGUF form and is refused.
// Also: the q/k/v bias gradients of full training match central differences.
using FedSpine.Model.Formats;
using FedSpine.Model.Training;

namespace FedSpine.Model.Tests.Families;

public class FamilyExportTests
{
    [Theory]
    [MemberData(nameof(FamilyFixtures.All), MemberType = typeof(FamilyFixtures))]
    public void HfFolderAndGgufReloadWithTheSameLogits(string family)
    {
        var (config, model) = HfModelFolder.Load(FamilyFixtures.Folder(family));
        var (ids, _) = FamilyFixtures.Golden(family);
        float[] expected = Logits(model, ids);
        using var temp = new TempCopy();
        string hf = Path.Combine(temp.Path, "hf");
        HfModelFolder.Save(hf, model);
        var (hfConfig, hfModel) = HfModelFolder.Load(hf);
        Assert.Equal(config with { TorchDtype = "float32" }, hfConfig);
        Assert.Equal(expected, Logits(hfModel, ids));

        string gguf = Path.Combine(temp.Path, "model.gguf");
        if (config.RopeScaling?.Type == "dynamic" || config.AttentionWindow is > 0 and < 512)
        {
            // no GGUF form llama.cpp computes alike: dynamic NTK, or a window shorter than the context (llama.cpp ignores it)
            var e = Assert.Throws<InvalidDataException>(() => GgufWriter.Save(gguf, model));
            Assert.Contains(config.AttentionWindow > 0 ? "sliding_window 16 is shorter than max_position_embeddings 512" : "dynamic", e.Message, StringComparison.Ordinal);
            Assert.False(File.Exists(gguf));
            return;
        }
        GgufWriter.Save(gguf, model);
        var (ggufConfig, ggufModel) = GgufModel.Load(gguf);
        Assert.Equal(config.ModelType, ggufConfig.ModelType);
        Assert.Equal(config.AttentionWindow, ggufConfig.AttentionWindow);
        Assert.Equal(config.RopeScaling?.Type, ggufConfig.RopeScaling?.Type);
        Assert.True(FamilyFixtures.MaxError(expected, Logits(ggufModel, ids)) <= 1e-5f);
    }

    [Fact]
    public void QwenBiasGradientsMatchCentralDifferences()
    {
        var (_, model) = HfModelFolder.Load(FamilyFixtures.Folder("qwen25"));
        var (ids, _) = FamilyFixtures.Golden("qwen25");
        ids = ids[..24];
        int[] targets = ids.Skip(1).Append(-1).ToArray();
        var grads = LlamaWeights.Allocate(model.Config, model.LayerShapes);
        using (var graph = new TrainingGraph(model, null, grads, null, 1, ids.Length))
        {
            graph.ForwardBackward(ids, targets);
        }
        foreach (var bias in new[] { "q_proj", "k_proj", "v_proj" })
        {
            string name = $"model.layers.0.self_attn.{bias}.bias";
            var value = model.Find(name)!.Span;
            var grad = grads.Find(name)!.Span;
            for (int i = 0; i < value.Length; i += 5)
            {
                const float h = 1e-2f;
                float saved = value[i];
                value[i] = saved + h;
                float plus = Loss(model, ids, targets);
                value[i] = saved - h;
                float minus = Loss(model, ids, targets);
                value[i] = saved;
                float numeric = (plus - minus) / (2 * h);
                Assert.True(MathF.Abs(numeric - grad[i]) <= 2e-3f + 2e-2f * MathF.Abs(numeric), $"{name}[{i}]: numeric {numeric}, backward {grad[i]}");
            }
        }
    }

    private static float Loss(LlamaWeights model, int[] ids, int[] targets)
    {
        using var graph = new TrainingGraph(model, null, null, null, 1, ids.Length);
        return graph.Loss(ids, targets);
    }

    private static float[] Logits(LlamaWeights model, int[] ids)
    {
        using var graph = new TrainingGraph(model, null, null, null, 1, ids.Length);
        graph.Loss(ids, ids.Skip(1).Append(-1).ToArray());
        return graph.Logits.Span.ToArray();
    }
}
