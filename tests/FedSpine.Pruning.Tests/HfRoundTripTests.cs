// Sliced models are standard HF LLaMA folders: uniform pruning gives a config whose counts are the layers' shapes;
// per-layer shapes (excluded layers) reload through the per-layer shape inference; logits are identical after reload.
using FedSpine.Model;
using FedSpine.Model.Formats;

namespace FedSpine.Pruning.Tests;

public class HfRoundTripTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SlicedTinyModelReloadsWithIdenticalLogits(bool excludeFirstAndLast)
    {
        var model = TinyModels.Random(TinyModels.Gqa, seed: 31);
        var options = excludeFirstAndLast ? PruningOptions.FirstAndLastExcluded(3) : new PruningOptions();
        var pruned = StructuredPruner.Prune(model, TinyModels.RandomImportance(model.LayerShapes, seed: 32), 0.5, options);
        var expectedConfig = excludeFirstAndLast ? (6, 2, 37) : (3, 1, 19);
        Assert.Equal(expectedConfig, (pruned.Weights.Config.NumAttentionHeads, pruned.Weights.Config.NumKeyValueHeads, pruned.Weights.Config.IntermediateSize));
        string folder = Path.Combine(Path.GetTempPath(), $"fedspine-pruned-tiny-{excludeFirstAndLast}-{Environment.ProcessId}");
        try
        {
            HfModelFolder.Save(folder, pruned.Weights);
            var (_, reloaded) = HfModelFolder.Load(folder);
            Assert.Equal(pruned.Weights.LayerShapes, reloaded.LayerShapes);
            var (inputs, _) = TinyModels.Batch(2, 9, model.Config.VocabSize, seed: 33);
            Assert.Equal(TinyModels.Logits(pruned.Weights, null, inputs, 2), TinyModels.Logits(reloaded, null, inputs, 2));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ConfigForDifferingShapesCoversEveryLayerAndStaysValid()
    {
        LayerShape[] shapes = [new(6, 2, 37), new(4, 4, 20), new(3, 1, 19)];
        var config = ModelSlicer.ConfigFor(TinyModels.Config(8, 4), shapes);
        config.Validate("test");
        Assert.Equal((8, 4, 37, 8), (config.NumAttentionHeads, config.NumKeyValueHeads, config.IntermediateSize, config.HeadDim));
    }
}
