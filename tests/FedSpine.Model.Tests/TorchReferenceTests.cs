// The C# model against golden tensors dumped once from PyTorch (tests/reference/make_torch_reference.py): logits,
// loss, every full-model gradient, every LoRA gradient, and two AdamW steps, for an untied and a tied tiny LLaMA.
using System.Text.Json;
using FedSpine.Model.Formats;
using FedSpine.Model.Lora;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Model.Tests;

public class TorchReferenceTests
{
    public static TheoryData<string> Files => new() { "torch_llama_tiny.safetensors", "torch_llama_tiny_tied.safetensors" };

    [Theory]
    [MemberData(nameof(Files))]
    public void FullModelMatchesPyTorch(string file)
    {
        using var golden = Open(file);
        var model = LoadBase(golden);
        var (inputs, targets, batch, tokens) = LoadTokens(golden);
        var grads = LlamaWeights.Allocate(model.Config);
        var graph = new TrainingGraph(model, null, grads, null, batch, tokens);
        AssertClose(golden.Read("full.logits").Span, ForwardLogits(graph, inputs, targets), "full.logits");
        float loss = graph.ForwardBackward(inputs, targets);
        Assert.Equal(golden.Read("full.loss").Span[0], loss, 4);
        foreach (var (name, grad) in grads.NamedTensors)
        {
            AssertClose(golden.Read("full.grad." + name).Span, grad.Span, "grad " + name);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void LoraModelMatchesPyTorch(string file)
    {
        using var golden = Open(file);
        var model = LoadBase(golden);
        var (inputs, targets, batch, tokens) = LoadTokens(golden);
        using var loraMeta = JsonDocument.Parse(golden.Metadata["lora"]);
        float alpha = loraMeta.RootElement.GetProperty("alpha").GetSingle();
        var lora = LoraWeights.Allocate(model.Config, model.LayerShapes,
            (_, t) => loraMeta.RootElement.GetProperty(t.ShortName()).GetInt32(), alpha);
        foreach (var (_, _, module, adapter) in lora.Adapters)
        {
            golden.Read("lora.A." + module).Span.CopyTo(adapter.A.Span);
            golden.Read("lora.B." + module).Span.CopyTo(adapter.B.Span);
        }
        var grads = lora.ZerosLike();
        var graph = new TrainingGraph(model, lora, null, grads, batch, tokens);
        AssertClose(golden.Read("lora.logits").Span, ForwardLogits(graph, inputs, targets), "lora.logits");
        float loss = graph.ForwardBackward(inputs, targets);
        Assert.Equal(golden.Read("lora.loss").Span[0], loss, 4);
        foreach (var (layer, target, module, _) in lora.Adapters)
        {
            var g = grads[layer, target]!;
            AssertClose(golden.Read("lora.grad.A." + module).Span, g.A.Span, "grad A " + module);
            AssertClose(golden.Read("lora.grad.B." + module).Span, g.B.Span, "grad B " + module);
        }
    }

    [Fact]
    public void TwoAdamWStepsMatchPyTorch()
    {
        using var golden = Open("torch_llama_tiny.safetensors");
        var model = LoadBase(golden);
        using var settings = JsonDocument.Parse(golden.Metadata["adamw"]);
        var names = JsonSerializer.Deserialize<string[]>(golden.Metadata["adamw_names"])!;
        var items = names.Select(n => (n, model.Find(n)!, golden.Read("full.grad." + n))).ToList();
        var optimizer = new AdamWOptimizer(new ParameterSet(items), new AdamWSettings(
            LearningRate: 1e-2f, Beta1: 0.9f, Beta2: 0.999f, Epsilon: 1e-8f, WeightDecay: 0.1f));
        Assert.Equal(0.1, settings.RootElement.GetProperty("weight_decay").GetDouble(), 6);
        optimizer.Step();
        optimizer.Step();
        foreach (var name in names)
        {
            AssertClose(golden.Read("adamw.step2." + name).Span, model.Find(name)!.Span, "adamw " + name);
        }
    }

    private static SafeTensorsFile Open(string file) => SafeTensorsFile.Open(Path.Combine(AppContext.BaseDirectory, "Reference", file));

    private static LlamaWeights LoadBase(SafeTensorsFile golden)
    {
        var config = JsonSerializer.Deserialize<LlamaConfig>(golden.Metadata["config"])!;
        var model = LlamaWeights.Allocate(config);
        foreach (var (name, tensor) in model.NamedTensors)
        {
            golden.Read(name).Span.CopyTo(tensor.Span);
        }
        return model;
    }

    private static (int[] Inputs, int[] Targets, int Batch, int Tokens) LoadTokens(SafeTensorsFile golden)
    {
        var ids = golden.Read("input_ids");
        var targets = golden.Read("targets");
        return (ids.Span.ToArray().Select(v => (int)v).ToArray(), targets.Span.ToArray().Select(v => (int)v).ToArray(), ids.Dim(0), ids.Dim(1));
    }

    private static float[] ForwardLogits(TrainingGraph graph, int[] inputs, int[] targets)
    {
        graph.Loss(inputs, targets);
        return graph.Logits.Span.ToArray();
    }

    /// <summary>Float32 results against float64 golden values: within 1e-4 of the tensor's largest magnitude.</summary>
    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        float scale = 1e-6f;
        foreach (float e in expected)
        {
            scale = MathF.Max(scale, MathF.Abs(e));
        }
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-4f * scale, $"{what}[{i}]: torch {expected[i]:G7}, ours {actual[i]:G7}");
        }
    }
}
