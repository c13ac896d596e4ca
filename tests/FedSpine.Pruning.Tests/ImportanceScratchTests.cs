// Module scores run on per-thread scratch blocks: every module's scores are bit-identical whatever the earlier calls
// on the thread left there (modules scored in opposite orders, each order on a fresh thread).
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Model.Training;

namespace FedSpine.Pruning.Tests;

public class ImportanceScratchTests
{
    [Theory]
    [InlineData("lora")]
    [InlineData("taylor")]
    [InlineData("magnitude")]
    public void ScoresDoNotDependOnWhatEarlierCallsLeftInTheScratch(string criterion)
    {
        var config = TinyModels.Gqa;
        var model = TinyModels.Random(config, seed: 51);
        var lora = TinyModels.RandomLora(model, seed: 52);
        var loraGrads = lora.ZerosLike();
        var baseGrads = LlamaWeights.Allocate(config, model.LayerShapes);
        using (var graph = new TrainingGraph(model, lora, baseGrads, loraGrads, batch: 2, tokens: 8))
        {
            var (inputs, targets) = TinyModels.Batch(2, 8, config.VocabSize, seed: 53);
            graph.ForwardBackward(inputs, targets);
        }
        var context = new ImportanceContext(model, lora, loraGrads, baseGrads);
        var estimator = (ModuleImportanceEstimator)ImportanceEstimators.Create(criterion);
        var modules = Enumerable.Range(0, config.NumHiddenLayers).SelectMany(l => LoraTargets.All.Select(t => (Layer: l, Target: t))).ToList();

        var forward = OnFreshThread(() => modules.Select(m => estimator.ModuleScores(context, m.Layer, m.Target)).ToList());
        var backward = OnFreshThread(() => Enumerable.Reverse(modules).Select(m => estimator.ModuleScores(context, m.Layer, m.Target)).Reverse().ToList());
        for (int i = 0; i < modules.Count; i++)
        {
            Assert.Equal(forward[i].Select(BitConverter.SingleToInt32Bits), backward[i].Select(BitConverter.SingleToInt32Bits));
        }
    }

    private static T OnFreshThread<T>(Func<T> work)
    {
        T result = default!;
        var thread = new Thread(() => result = work());
        thread.Start();
        thread.Join();
        return result;
    }
}
