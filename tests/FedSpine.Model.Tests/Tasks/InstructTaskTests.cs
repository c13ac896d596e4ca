// The instruct task: response perplexity equals exp(mean −log p) on a hand-made case and per category, evaluation does
// not depend on the batch, training scores only response targets, and LoRA through the frozen LM head lowers it.
using FedSpine.Model.Lora;
using FedSpine.Model.Tasks;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Model.Tests.Tasks;

public class InstructTaskTests
{
    [Fact]
    public void PerplexityOfAHandMadeCaseIsTheFormula()
    {
        var ppl = new ResponsePerplexity(["x", "y"]);
        float ln3 = MathF.Log(3);
        // vocab 2; rows: ignored, p(0) = 3/4, p(1) = 1/2.
        ppl.Add([5, -5, ln3, 0, 0, 0], [-1, 0, 1], vocab: 2, category: 0);
        // category y: one target with p(1) = 1/4.
        ppl.Add([ln3, 0], [1], vocab: 2, category: 1);
        double lossX = -(Math.Log(0.75) + Math.Log(0.5)) / 2;
        Assert.Equal(Math.Exp(lossX), ppl.OfCategory(0), 5);
        Assert.Equal(4.0, ppl.OfCategory(1), 5);
        Assert.Equal(Math.Exp(-(Math.Log(0.75) + Math.Log(0.5) + Math.Log(0.25)) / 3), ppl.Value, 5);
        Assert.Equal(3, ppl.Count);
        Assert.Equal(2, ppl.CountOf(0));
        Assert.Equal("perplexity", ppl.ToResult().Metric);
    }

    [Fact]
    public void PerplexityOverSeveralCategoriesPoolsTheirTokens()
    {
        var ppl = new ResponsePerplexity(["x", "y", "z"]);
        float ln3 = MathF.Log(3);
        ppl.Add([5, -5, ln3, 0, 0, 0], [-1, 0, 1], vocab: 2, category: 0);   // p = 3/4, 1/2
        ppl.Add([ln3, 0], [1], vocab: 2, category: 1);                       // p = 1/4
        ppl.Add([0, 0], [0], vocab: 2, category: 2);                         // p = 1/2
        Assert.Equal(Math.Exp(-(Math.Log(0.75) + Math.Log(0.5) + Math.Log(0.25)) / 3), ppl.OfCategories([0, 1]), 5);
        Assert.Equal(Math.Sqrt(8), ppl.OfCategories([1, 2, 1]), 5);   // (1/4 · 1/2)^(−1/2); a repeated category counts once
        Assert.Equal(ppl.OfCategory(2), ppl.OfCategories([2]), 12);
        Assert.True(double.IsNaN(new ResponsePerplexity(["x"]).OfCategories([0])));
    }

    private static TokenizedInstructSet TinySet(int tokens, int count = 5)
    {
        var records = Enumerable.Range(0, count)
            .Select(i => new InstructRecord($"Q{i}", i % 2 == 0 ? "" : "ctx", new string((char)('a' + i), 3 + i), i % 2 == 0 ? "even" : "odd", i + 1))
            .ToList();
        return TokenizedInstructSet.Encode(new InstructDataset(records, "tiny"), new CharTokenizer(29), tokens);
    }

    [Fact]
    public void EvaluationMatchesPerExampleLossesWhateverTheBatch()
    {
        var model = TinyModels.Random(TinyModels.Config(tied: true), 3);
        var set = TinySet(40);
        var task = new InstructTask(set, set);
        var byTwo = InstructTask.Evaluate(new TrainingGraph(model, null, null, null, batch: 2, tokens: 40), set);
        var byFour = task.Evaluate(new TrainingGraph(model, null, null, null, batch: 4, tokens: 40));
        Assert.Equal(byTwo.Value, byFour.Value, 5);
        Assert.Equal(set.ResponseTokens, byFour.Count);

        // By hand: one row at a time, the graph's mean loss over that row's scored targets.
        var one = new TrainingGraph(model, null, null, null, batch: 1, tokens: 40);
        double sum = 0, evenSum = 0;
        long evenCount = 0;
        var inputs = new int[40];
        var targets = new int[40];
        for (int i = 0; i < set.Count; i++)
        {
            set[i].Fill(inputs, targets, set.PadId);
            double loss = one.Loss(inputs, targets) * (double)set[i].ResponseLength;
            sum += loss;
            if (set[i].Category == 0)
            {
                evenSum += loss;
                evenCount += set[i].ResponseLength;
            }
        }
        Assert.Equal(Math.Exp(sum / set.ResponseTokens), byTwo.Value, 5);
        Assert.Equal(Math.Exp(evenSum / evenCount), byTwo.OfCategory(0), 5);
    }

    [Fact]
    public void LoraThroughTheFrozenLmHeadLowersResponsePerplexity()
    {
        var model = TinyModels.Random(TinyModels.Config(tied: false), 4);
        float[] head = model.LmHead.Span.ToArray();
        var set = TinySet(40, count: 4);
        var task = new InstructTask(set, set);
        Assert.Empty(task.Parameters);
        var lora = LoraWeights.Allocate(model, LoraTargets.All, rank: 4, alpha: 8);
        lora.InitializeForTraining(new Rng(1));
        var grads = lora.ZerosLike();
        var parameters = TaskTrainer.Parameters(lora, grads, task);
        var optimizer = new AdamWOptimizer(parameters, new AdamWSettings(LearningRate: 2e-2f, WeightDecay: 0f));
        var graph = new TrainingGraph(model, lora, null, grads, batch: 4, tokens: 40);
        var before = task.Evaluate(graph);
        var rng = new Rng(2);
        for (int step = 0; step < 30; step++)
        {
            TaskTrainer.Step(task, graph, parameters, optimizer, rng);
        }
        var after = task.Evaluate(graph);
        Assert.True(after.Value < 0.7 * before.Value, $"response perplexity {before.Value:F2} -> {after.Value:F2}");
        Assert.Equal(head, model.LmHead.Span.ToArray());   // the LM head is frozen
    }
}
