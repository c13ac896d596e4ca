// Test support for the format tests: a temporary folder removed afterwards, and seeded tensors and weights.
// Tensors are compared bit for bit, configs as their config.json text.
using System.Text.Json;
using FedSpine.Tensors;

namespace FedSpine.Model.Tests;

internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fedspine-formats-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

internal static class FormatsTestData
{
    public static Tensor Seeded(int seed, params int[] shape)
    {
        var tensor = new Tensor(shape);
        Fill(tensor, seed);
        return tensor;
    }

    public static void Fill(Tensor tensor, int seed)
    {
        var random = new Random(seed);
        var span = tensor.Span;
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = (float)(random.NextDouble() * 2 - 1);
        }
    }

    public static LlamaConfig TinyConfig(bool tied) => new()
    {
        HiddenSize = 16,
        IntermediateSize = 24,
        NumHiddenLayers = 2,
        NumAttentionHeads = 4,
        NumKeyValueHeads = 2,
        HeadDim = 6,
        VocabSize = 11,
        MaxPositionEmbeddings = 32,
        TieWordEmbeddings = tied,
    };

    public static LlamaWeights SeededWeights(LlamaConfig config, IReadOnlyList<LayerShape>? shapes = null)
    {
        var weights = LlamaWeights.Allocate(config, shapes ?? LlamaWeights.UniformShapes(config));
        int seed = 1;
        foreach (var (_, tensor) in weights.NamedTensors)
        {
            Fill(tensor, seed++);
        }
        return weights;
    }

    public static int[] Bits(Tensor tensor) => tensor.Span.ToArray().Select(BitConverter.SingleToInt32Bits).ToArray();

    /// <summary>Configs compared as their config.json text (the record holds an array, compared by reference).</summary>
    public static void AssertSameConfig(LlamaConfig expected, LlamaConfig actual) =>
        Assert.Equal(JsonSerializer.Serialize(expected), JsonSerializer.Serialize(actual));

    /// <summary>Asserts both weights hold the same tensors under the same names, bit for bit.</summary>
    public static void AssertIdentical(LlamaWeights expected, LlamaWeights actual)
    {
        AssertSameConfig(expected.Config with { TorchDtype = actual.Config.TorchDtype }, actual.Config);
        Assert.Equal(expected.LayerShapes, actual.LayerShapes);
        var a = expected.NamedTensors.ToList();
        var b = actual.NamedTensors.ToList();
        Assert.Equal(a.Select(t => t.Key), b.Select(t => t.Key));
        for (int i = 0; i < a.Count; i++)
        {
            Assert.True(a[i].Value.SameShape(b[i].Value.Shape), $"{a[i].Key}: {a[i].Value} vs {b[i].Value}");
            Assert.True(Bits(a[i].Value).SequenceEqual(Bits(b[i].Value)), $"{a[i].Key} differs");
        }
    }
}
