// Pruning the real stories260K model to 50% of heads and channels: parameter counts and sparsity match the arithmetic,
// the config stays standard, and the HF folder it is saved as reloads with identical logits.
using FedSpine.Model;
using FedSpine.Model.Formats;
using Xunit.Abstractions;

namespace FedSpine.Pruning.Tests;

public class Stories260KPruningTests(ITestOutputHelper output)
{
    [SharedDataFact]
    public void HalfOfHeadsAndChannelsMatchesTheArithmetic()
    {
        var (config, model) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        Assert.Equal((64, 8, 4, 8, 172, 5, 512, true),
            (config.HiddenSize, config.NumAttentionHeads, config.NumKeyValueHeads, config.HeadDim, config.IntermediateSize,
             config.NumHiddenLayers, config.VocabSize, config.TieWordEmbeddings));

        var pruned = StructuredPruner.Prune(model, StructuredPruner.Score(model, new MagnitudeImportance()), 0.5);

        // 4 of 8 query heads per layer: one per KV group, so all 4 KV heads stay; 86 of 172 channels.
        Assert.Equal((4, 4, 86, 8), (pruned.Weights.Config.NumAttentionHeads, pruned.Weights.Config.NumKeyValueHeads,
            pruned.Weights.Config.IntermediateSize, pruned.Weights.Config.HeadDim));
        const long embedding = 512 * 64, finalNorm = 64, norms = 2 * 64;
        const long denseAttention = 64 * 64 + 32 * 64 + 32 * 64 + 64 * 64, denseFfn = 3 * 172 * 64;
        const long prunedAttention = 32 * 64 + 32 * 64 + 32 * 64 + 64 * 32, prunedFfn = 3 * 86 * 64;
        const long dense = embedding + finalNorm + 5 * (norms + denseAttention + denseFfn);
        const long expected = embedding + finalNorm + 5 * (norms + prunedAttention + prunedFfn);
        Assert.Equal(260_032, dense);
        Assert.Equal(dense, model.ParameterCount);
        Assert.Equal(156_992, expected);
        Assert.Equal(expected, pruned.Weights.ParameterCount);
        Assert.Equal(new SparsityReport(5 * (denseAttention + denseFfn), 5 * (prunedAttention + prunedFfn), dense, expected), pruned.Sparsity);
        output.WriteLine($"stories260K at 50% of heads and channels: {pruned.Sparsity}");
    }

    [SharedDataFact]
    public void PrunedModelReloadsFromHfFolderWithIdenticalLogits()
    {
        var (_, model) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        var pruned = StructuredPruner.Prune(model, StructuredPruner.Score(model, new MagnitudeImportance()), 0.5);
        string folder = Path.Combine(Path.GetTempPath(), $"fedspine-pruned260k-{Environment.ProcessId}");
        try
        {
            HfModelFolder.Save(folder, pruned.Weights);
            var (config, reloaded) = HfModelFolder.Load(folder);
            Assert.Equal(pruned.Weights.Config with { TorchDtype = config.TorchDtype }, config);
            var (inputs, _) = TinyModels.Batch(2, 16, config.VocabSize, seed: 5);
            Assert.Equal(TinyModels.Logits(pruned.Weights, null, inputs, 2), TinyModels.Logits(reloaded, null, inputs, 2));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
