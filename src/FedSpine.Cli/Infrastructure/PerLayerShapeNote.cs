// Says where a model whose layers differ (pruned with --exclude-layers) loads: FedSpine and llama.cpp (GGUF written as its
// "deci" architecture) do; Hugging Face transformers does not, since a config.json holds one head and FFN count per model.
using FedSpine.Model;

namespace FedSpine.Cli.Infrastructure;

internal static class PerLayerShapeNote
{
    /// <summary>The note for an HF folder of these weights, or null when every layer has layer 0's shape.</summary>
    public static string? ForHfFolder(LlamaWeights weights)
    {
        var shapes = weights.LayerShapes;
        int layer = Enumerable.Range(0, shapes.Count).FirstOrDefault(i => shapes[i] != shapes[0]);
        if (layer == 0)
        {
            return null;
        }
        var (a, b) = (shapes[0], shapes[layer]);
        return $"note: layer {layer} has {b.Heads} heads, {b.KvHeads} KV heads and {b.FfnChannels} FFN channels where layer 0 has " +
               $"{a.Heads}, {a.KvHeads} and {a.FfnChannels}: Hugging Face transformers cannot load this folder (config.json holds one count " +
               "per model); fedspine loads it, and `export --format gguf` writes it for llama.cpp";
    }

    public static void Print(LlamaWeights weights)
    {
        if (ForHfFolder(weights) is { } note)
        {
            Console.Error.WriteLine(note);
        }
    }
}
