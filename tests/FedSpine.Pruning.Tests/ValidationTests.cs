// Bad requests fail with one clear message before any work is done (the task is never called): a ratio that leaves a
// layer no head, a LoRA rank larger than a module (now or after the schedule's pruning), mismatched adapters.
using FedSpine.Model;
using FedSpine.Model.Lora;

namespace FedSpine.Pruning.Tests;

public class ValidationTests
{
    [Fact]
    public void RatioLeavingNoHeadFailsBeforeAnyStep()
    {
        var model = TinyModels.Random(TinyModels.Mha, seed: 61);
        var task = new SyntheticLmTask(model.Config.VocabSize, stride: 3);
        var settings = Settings(new OneShotSchedule(0.9, pruneStep: 1), rank: 2);
        var e = Assert.Throws<ArgumentException>(() => new PruneAndTune(model, task, new LoraGradientImportance(), settings));
        Assert.Contains("leaves no attention head in layer 0", e.Message);
        Assert.Equal(0, task.Calls);
        var planner = Assert.Throws<ArgumentException>(() => UnitCountPlanner.Plan(new LayerShape(4, 4, 100), new LayerShape(4, 4, 100), 0.9, GqaRule.Auto, layer: 2));
        Assert.Contains("leaves no attention head in layer 2", planner.Message);
        var channels = Assert.Throws<ArgumentException>(() => UnitCountPlanner.Plan(new LayerShape(40, 40, 3), new LayerShape(40, 40, 3), 0.9, GqaRule.Auto, layer: 1));
        Assert.Contains("leaves no FFN channel in layer 1", channels.Message);
    }

    [Fact]
    public void RankLargerThanAModuleFailsBeforeAnyStep()
    {
        var model = TinyModels.Random(TinyModels.Gqa, seed: 62);
        var task = new SyntheticLmTask(model.Config.VocabSize, stride: 3);
        // Now: hidden is 32, so rank 33 fits no module.
        var now = Assert.Throws<ArgumentException>(() => new PruneAndTune(model, task, new LoraGradientImportance(), Settings(new OneShotSchedule(0.5), rank: 33)));
        Assert.Contains("LoRA rank 33", now.Message);
        // After the schedule: k_proj is 16x32 now, but at 0.5 each layer keeps one KV group, so k_proj becomes 8x32.
        var later = Assert.Throws<ArgumentException>(() => new PruneAndTune(model, task, new LoraGradientImportance(), Settings(new CubicSchedule(0.5, 40, 10), rank: 10)));
        Assert.Contains("LoRA rank 10 on model.layers.0.self_attn.k_proj exceeds the module's dimensions 8x32 once pruned", later.Message);
        Assert.Equal(0, task.Calls);
    }

    [Fact]
    public void AdaptersOfAnotherShapeOrMissingWhereTheCriterionNeedsThemFail()
    {
        var model = TinyModels.Random(TinyModels.Gqa, seed: 63);
        var other = TinyModels.Random(TinyModels.Mha, seed: 64);
        var task = new SyntheticLmTask(model.Config.VocabSize, stride: 3);
        var settings = Settings(new OneShotSchedule(0.25), rank: 2);
        var wrongShape = Assert.Throws<ArgumentException>(() => new PruneAndTune(model, task, new LoraGradientImportance(), settings, TinyModels.RandomLora(other, 65)));
        Assert.Contains("but the model's module is", wrongShape.Message);
        var attentionOnly = settings with { Targets = [LoraTarget.Q, LoraTarget.V] };
        var unscorable = Assert.Throws<ArgumentException>(() => new PruneAndTune(model, task, new LoraGradientImportance(), attentionOnly));
        Assert.Contains("cannot score the FFN channels of layer 0", unscorable.Message);
        Assert.Equal(0, task.Calls);
        // Magnitude and Taylor score every module, adapters or not.
        var magnitude = new PruneAndTune(model, task, new MagnitudeImportance(), attentionOnly);
        Assert.True(magnitude.PruneTo(0.25));
        Assert.Throws<ArgumentException>(() => ImportanceEstimators.Create("entropy"));
    }

    private static PruneAndTuneSettings Settings(IPruningSchedule schedule, int rank) =>
        new() { Schedule = schedule, Rank = rank, Alpha = 2 * rank, Batch = 2, Tokens = 8 };
}
