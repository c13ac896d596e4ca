// Masks round-trip through JSON and reject what cannot be a standard pruned LLaMA layer with a message naming the
// layer; the GQA rule picks same-count-per-group when it reaches the head count, whole groups otherwise.
using FedSpine.Model;

namespace FedSpine.Pruning.Tests;

public class MaskTests
{
    [Fact]
    public void MaskRoundTripsThroughJson()
    {
        var model = TinyModels.Random(TinyModels.Gqa, seed: 51);
        var mask = MaskSelector.Select(PruningMask.Full(model.LayerShapes), TinyModels.RandomImportance(model.LayerShapes, 52), 0.5,
            new PruningOptions { ExcludedLayers = [1] });
        string json = mask.ToJson();
        var back = PruningMask.FromJson(json);
        Assert.Equal(mask, back);
        Assert.Equal(json, back.ToJson());
        Assert.Contains("\"original_kv_heads\": 2", json);
        Assert.Equal(mask.Shapes, back.Shapes);
        Assert.NotEqual(PruningMask.Full(model.LayerShapes), back);
        string path = Path.Combine(Path.GetTempPath(), $"fedspine-mask-{Environment.ProcessId}.json");
        try
        {
            mask.Save(path);
            Assert.Equal(mask, PruningMask.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("""{"layers":[{"original_heads":4,"original_kv_heads":2,"original_channels":5,"heads":[0,1,2],"channels":[0]}]}""", "inconsistent KV groups")]
    [InlineData("""{"layers":[{"original_heads":4,"original_kv_heads":2,"original_channels":5,"heads":[0,4],"channels":[0]}]}""", "head index 4 is outside 0..3")]
    [InlineData("""{"layers":[{"original_heads":4,"original_kv_heads":2,"original_channels":5,"heads":[],"channels":[0]}]}""", "keeps no attention head")]
    [InlineData("""{"layers":[{"original_heads":4,"original_kv_heads":2,"original_channels":5,"heads":[0,2],"channels":[3,1]}]}""", "strictly ascending")]
    [InlineData("""{"layers":[{"original_heads":4,"original_kv_heads":3,"original_channels":5,"heads":[0],"channels":[0]}]}""", "must be positive and divide")]
    [InlineData("""{"layers":[{"original_heads":4,"original_kv_heads":2,"original_channels":5,"channels":[0]}]}""", "not a valid pruning mask")]
    [InlineData("""{"layers":""", "not a valid pruning mask")]
    public void BadMaskJsonGivesAClearError(string json, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => PruningMask.FromJson(json, "mask.json"));
        Assert.Contains(message, e.Message);
        Assert.StartsWith("mask.json: ", e.Message);
    }

    [Theory]
    [InlineData(8, 4, 0.5, GqaRule.Auto, 4, 4)]                  // one q head per group, all KV heads stay
    [InlineData(8, 4, 0.75, GqaRule.Auto, 2, 1)]                 // 2 heads: only one whole group reaches it
    [InlineData(8, 4, 0.5, GqaRule.WholeGroups, 4, 2)]
    [InlineData(8, 4, 0.75, GqaRule.SameCountPerGroup, 4, 4)]    // the nearest it can reach
    [InlineData(6, 2, 0.5, GqaRule.Auto, 3, 1)]
    [InlineData(6, 2, 0.25, GqaRule.Auto, 6, 2)]                 // round(4.5) = 5: 4 and 6 tie, keep more
    [InlineData(16, 4, 0.625, GqaRule.Auto, 6, 3)]               // 6 = 3 groups of 2: neither pure rule reaches it
    [InlineData(4, 4, 0.5, GqaRule.Auto, 2, 2)]                  // multi-head: the rules coincide
    [InlineData(4, 4, 0.5, GqaRule.SameCountPerGroup, 4, 4)]
    public void GqaRulePlansHeadCounts(int heads, int kv, double ratio, GqaRule rule, int expectedHeads, int expectedKv)
    {
        var shape = new LayerShape(heads, kv, 10);
        var plan = UnitCountPlanner.Plan(shape, shape, ratio, rule, layer: 0);
        Assert.Equal(new LayerShape(expectedHeads, expectedKv, UnitCountPlanner.KeptCount(10, ratio)), plan);
    }

    [Fact]
    public void GradualPruningEndsInTheOneShotShape()
    {
        // 6 heads in 2 groups of 3 at S* = 0.5 is one whole group (3 heads). Unsteered, a first step to 4 heads (2 per
        // group) would strand the layer at 4; steered by the target, every step keeps 3 heads per group.
        var original = new LayerShape(6, 2, 37);
        var shape = original;
        IPruningSchedule schedule = new CubicSchedule(0.5, pruneSteps: 40, interval: 10);
        foreach (double ratio in schedule.Events.Select(e => e.Ratio))
        {
            shape = UnitCountPlanner.Plan(original, shape, ratio, GqaRule.Auto, layer: 0, finalRatio: 0.5);
            Assert.True(shape.Heads / shape.KvHeads == 3 || shape == new LayerShape(3, 1, shape.FfnChannels), $"stranded at {shape}");
        }
        Assert.Equal(UnitCountPlanner.Plan(original, original, 0.5, GqaRule.Auto, layer: 0), shape);
        Assert.Equal(new LayerShape(4, 2, 26), UnitCountPlanner.Plan(original, original, 0.3, GqaRule.Auto, layer: 0));
    }

    [Fact]
    public void SameCountPerGroupKeepsTheBestHeadsOfEveryGroupAndWholeGroupsTheBestGroup()
    {
        LayerShape[] shapes = [new(6, 2, 4)];
        var tracker = new ImportanceTracker(shapes, decay: 0);
        // group 0 = heads 0..2, group 1 = heads 3..5; group 1 has the larger sum, head 0 is the single best head.
        tracker.Update(new UnitScores([[9f, 1f, 2f, 5f, 6f, 4f]], [[1f, 4f, 3f, 2f]]), PruningMask.Full(shapes));
        var full = PruningMask.Full(shapes);
        var sameCount = MaskSelector.Select(full, tracker, 1.0 / 3, new PruningOptions());
        Assert.Equal([0, 2, 3, 4], sameCount.Layers[0].Heads);
        Assert.Equal([1, 2, 3], sameCount.Layers[0].Channels);
        var wholeGroup = MaskSelector.Select(full, tracker, 0.5, new PruningOptions());
        Assert.Equal([3, 4, 5], wholeGroup.Layers[0].Heads);
        Assert.Equal([1], wholeGroup.Layers[0].KvHeads);
    }
}
