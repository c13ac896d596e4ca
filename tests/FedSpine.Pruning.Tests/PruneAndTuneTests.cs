// Short prune-and-tune runs on a tiny random model with a synthetic LM task: the schedule's sparsity is reached on
// schedule, losses stay finite and fall, the run is deterministic, and optimizer state survives every prune.
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Model.Training;
using FedSpine.Tensors;
using Xunit.Abstractions;

namespace FedSpine.Pruning.Tests;

public class PruneAndTuneTests(ITestOutputHelper output)
{
    [Fact]
    public void CubicRunReachesTheTargetOnScheduleAndIsDeterministic()
    {
        IPruningSchedule schedule = new CubicSchedule(0.5, pruneSteps: 40, interval: 10, recoverySteps: 20);
        var (result, progress) = Run(schedule, new LoraGradientImportance());

        Assert.Equal(60, progress.Count);
        Assert.Equal(Enumerable.Range(1, 60), progress.Select(p => p.Step));
        Assert.All(progress, p => Assert.True(float.IsFinite(p.Loss), $"loss {p.Loss} at step {p.Step}"));
        Assert.All(progress, p => Assert.Equal(schedule.RatioAt(p.Step), p.Ratio));
        // Prunes happen only at schedule events (an event whose rounded counts change nothing removes nothing).
        var pruneSteps = progress.Where(p => p.Pruned).Select(p => p.Step).ToArray();
        Assert.Subset(schedule.Events.Select(e => e.Step).ToHashSet(), pruneSteps.ToHashSet());
        Assert.True(pruneSteps.Length >= 2, $"pruned only at steps {string.Join(", ", pruneSteps)}");
        // Sparsity never falls, and after the last prune it is that of the one-shot shapes at the target.
        Assert.All(progress.Zip(progress.Skip(1)), p => Assert.True(p.Second.Sparsity.PrunableSparsity >= p.First.Sparsity.PrunableSparsity));
        var config = TinyModels.Gqa;
        var expectedShapes = UnitCountPlanner.PlanShapes(LlamaWeights.UniformShapes(config), LlamaWeights.UniformShapes(config), 0.5, new PruningOptions());
        Assert.Equal(expectedShapes, result.Model.LayerShapes);
        Assert.Equal(expectedShapes, result.Mask.Shapes);
        Assert.Equal(SparsityReport.Measure(config, LlamaWeights.UniformShapes(config), expectedShapes), result.Sparsity);
        Assert.All(progress.Where(p => p.Step >= 40), p => Assert.Equal(result.Sparsity, p.Sparsity));
        Assert.Equal(result.Model.ParameterCount, result.Sparsity.TotalKept);
        // The adapters were sliced alongside the model and the task still learns through the prunes.
        Assert.All(result.Lora.Adapters, a => Assert.Equal(a.Target.Dims(result.Model.Layers[a.Layer].Shape, 32, 8), (a.Adapter.Out, a.Adapter.In)));
        double first = result.Losses.Take(10).Average(), last = result.Losses.TakeLast(10).Average();
        output.WriteLine($"mean loss, first 10 steps {first:F3}, last 10 {last:F3}; {result.Sparsity}");
        Assert.True(last < first - 0.2, $"loss went from {first:F3} to {last:F3}");

        var (again, _) = Run(schedule, new LoraGradientImportance());
        Assert.Equal(result.Losses, again.Losses);
        Assert.Equal(result.Mask, again.Mask);
    }

    [Theory]
    [InlineData("taylor")]
    [InlineData("magnitude")]
    public void OtherCriteriaPruneOnSchedule(string criterion)
    {
        IPruningSchedule schedule = new FixedStepSchedule(0.5, stepSize: 0.25, interval: 4, recoverySteps: 2);
        var (result, progress) = Run(schedule, ImportanceEstimators.Create(criterion));
        Assert.Equal([4, 8], progress.Where(p => p.Pruned).Select(p => p.Step));
        Assert.All(result.Model.LayerShapes, s => Assert.Equal(new LayerShape(3, 1, 19), s));
        Assert.All(result.Losses, l => Assert.True(float.IsFinite(l)));
    }

    [Fact]
    public void TaskParametersKeepTheirOptimizerStateAcrossPrunes()
    {
        // With a constant gradient of 1, AdamW with restored moments and step count moves by exactly lr every step;
        // reset moments (or a reset step count) would make the steps after a prune differ.
        var value = new Tensor(3);
        var grad = new Tensor(3);
        var model = TinyModels.Random(TinyModels.Gqa, seed: 71);
        var task = new SyntheticLmTask(model.Config.VocabSize, stride: 5, [("head.weight", value, grad)]);
        const float lr = 1e-3f;
        var settings = new PruneAndTuneSettings
        {
            Schedule = new FixedStepSchedule(0.5, stepSize: 0.25, interval: 3, recoverySteps: 3),
            Rank = 2, Alpha = 4, Batch = 2, Tokens = 8, MaxGradientNorm = 0, Optimizer = new AdamWSettings(LearningRate: lr, WeightDecay: 0f),
        };
        var run = new PruneAndTune(model, task, new LoraGradientImportance(), settings).Run();
        Assert.Equal(9, run.Losses.Count);
        Assert.All(value.Span.ToArray(), v => Assert.Equal(-9 * lr, v, 1e-6f));
    }

    [Fact]
    public void ContinuesFromAPrunedModelItsAdaptersAndMask()
    {
        var (first, _) = Run(new OneShotSchedule(0.25, pruneStep: 3, recoverySteps: 1), new LoraGradientImportance());
        Assert.All(first.Mask.Shapes, s => Assert.Equal(new LayerShape(6, 2, 28), s));   // round(4.5) heads keeps all 6
        var settings = new PruneAndTuneSettings { Schedule = new OneShotSchedule(0.5, pruneStep: 2), Batch = 2, Tokens = 8 };
        var task = new SyntheticLmTask(first.Model.Config.VocabSize, stride: 7);
        var second = new PruneAndTune(first.Model, task, new LoraGradientImportance(), settings, first.Lora, first.Mask).Run();
        Assert.True(second.Mask.IsSubsetOf(first.Mask));
        Assert.All(second.Mask.Shapes, s => Assert.Equal(new LayerShape(3, 1, 19), s));
        Assert.Equal(LlamaWeights.UniformShapes(TinyModels.Gqa), second.Mask.OriginalShapes);
        Assert.Equal(second.Model.ParameterCount, second.Sparsity.TotalKept);
    }

    [Fact]
    public void MomentsCaptureSliceAndRestore()
    {
        var model = TinyModels.Random(TinyModels.Gqa, seed: 81);
        var lora = TinyModels.RandomLora(model, seed: 82);
        var grads = TinyModels.RandomLora(model, seed: 83);
        var optimizer = new AdamWOptimizer(ParameterSet.FromLora(lora, grads), new AdamWSettings());
        optimizer.Step();
        var (m, v) = LoraOptimizerState.Capture(optimizer, lora);
        var first = optimizer.Moments.Select(p => (p.M.Span.ToArray(), p.V.Span.ToArray())).ToArray();
        Assert.All(first, p => Assert.Contains(p.Item1, x => x != 0));

        var fresh = new AdamWOptimizer(ParameterSet.FromLora(lora, grads), new AdamWSettings());
        LoraOptimizerState.Restore(fresh, m, v);
        Assert.Equal(first, fresh.Moments.Select(p => (p.M.Span.ToArray(), p.V.Span.ToArray())));

        // Sliced moments are the kept rows/columns of the moments, as the sliced adapters are of the adapters.
        var mask = MaskSelector.Select(PruningMask.Full(model.LayerShapes), TinyModels.RandomImportance(model.LayerShapes, 84), 0.5, new PruningOptions());
        var map = SliceMap.Create(model.Config, PruningMask.Full(model.LayerShapes), mask);
        var slicedM = ModelSlicer.Slice(m, map);
        var q = slicedM[1, LoraTarget.Q]!.B;            // [3 heads·8, rank]
        int rank = q.Dim(1), head = mask.Layers[1].Heads[2];
        Assert.Equal(m[1, LoraTarget.Q]!.B.Span.Slice(head * 8 * rank, 8 * rank).ToArray(), q.Span.Slice(2 * 8 * rank, 8 * rank).ToArray());
        int channel = mask.Layers[1].Channels[5];
        var down = slicedM[1, LoraTarget.Down]!.A;      // [rank, 19]
        Assert.Equal(m[1, LoraTarget.Down]!.A.Span[channel], down.Span[5]);
    }

    private static (PruneAndTuneResult Result, List<PruneProgress> Progress) Run(IPruningSchedule schedule, IImportanceEstimator estimator)
    {
        var model = TinyModels.Random(TinyModels.Gqa, seed: 91);
        var settings = new PruneAndTuneSettings
        {
            Schedule = schedule, Rank = 4, Alpha = 8, Batch = 4, Tokens = 12, Seed = 92,
            Optimizer = new AdamWSettings(LearningRate: 1e-2f, WeightDecay: 0f),
        };
        var progress = new List<PruneProgress>();
        var result = new PruneAndTune(model, new SyntheticLmTask(model.Config.VocabSize, stride: 7), estimator, settings).Run(progress.Add);
        return (result, progress);
    }
}
