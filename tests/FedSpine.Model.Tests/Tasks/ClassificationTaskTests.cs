// Classification through a tiny model: batches pad and truncate correctly, training batches are class-stratified,
// LoRA gradients of the head's loss match finite differences, and evaluation does not depend on the batch size.
using FedSpine.Model.Lora;
using FedSpine.Model.Tasks;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Model.Tests.Tasks;

public class ClassificationTaskTests
{
    private static readonly string[] Texts = ["a fine film", "dull", "xyzzy plugh", "so so", "brilliant!", "no", "meh meh meh meh", ""];

    private static TokenizedClassificationSet Set(int count, int maxTokens = 8, Func<int, int>? label = null)
    {
        var examples = Enumerable.Range(0, count).Select(i => new TextExample(Texts[i % Texts.Length], label?.Invoke(i) ?? i % 2)).ToList();
        var data = new TextClassificationDataset(examples, ["neg", "pos"], "synthetic");
        return TokenizedClassificationSet.Encode(data, new CharTokenizer(TinyModels.Config(false).VocabSize), maxTokens, padId: 0);
    }

    [Fact]
    public void BatchesStartWithBosTruncateAndRightPad()
    {
        var set = Set(8, maxTokens: 6);
        Assert.Equal(6, set.Ids(0).Length);                   // BOS + "a fin"
        Assert.Equal([1], set.Ids(7).ToArray());               // empty text: BOS alone
        var batch = new ClassificationBatch(batch: 3, tokens: 4);
        batch.Fill(set, [1, 0]);
        int[] dull = new CharTokenizer(TinyModels.Config(false).VocabSize).Encode("dul", bos: true, eos: false);
        Assert.Equal(dull, batch.Inputs[..4]);                 // cut to the batch's 4 tokens
        Assert.Equal(set.Ids(0)[..4].ToArray(), batch.Inputs[4..8]);
        Assert.Equal([0, 0, 0, 0], batch.Inputs[8..]);         // filler row: padding only
        Assert.Equal([4, 4, 1], batch.Lengths);
        Assert.Equal([1, 0, ClassificationBatch.FillerLabel], batch.Labels);
        Assert.Equal(2, batch.Rows);
        batch.Fill(set, [5]);
        Assert.Equal([set.Ids(5)[0], set.Ids(5)[1], set.Ids(5)[2], 0], batch.Inputs[..4]); // "no": BOS + 2 ids, then a pad
        Assert.Equal(3, batch.Lengths[0]);
    }

    [Fact]
    public void TrainingBatchesHoldEachClassInProportion()
    {
        var set = Set(40, label: i => i % 4 == 0 ? 1 : 0); // 30 of class 0, 10 of class 1
        var task = new ClassificationTask(new ClassificationHead(24, 2, new Rng(1)), set, set);
        var batch = new ClassificationBatch(batch: 8, tokens: 8);
        var rng = new Rng(2);
        for (int trial = 0; trial < 20; trial++)
        {
            task.SampleTrainingBatch(rng, batch);
            int ones = batch.Labels.Count(l => l == 1);
            Assert.InRange(ones, 2, 3);                        // floor(8·10/40) = 2, plus at most the one leftover row
            Assert.Equal(8, batch.Rows);
        }
    }

    [Theory]
    [InlineData(Pooling.Mean)]
    [InlineData(Pooling.LastToken)]
    public void LoraGradientsOfTheHeadLossMatchFiniteDifferences(Pooling pooling)
    {
        var config = TinyModels.Config(tied: true);
        var model = TinyModels.Random(config, 3);
        var lora = TinyModels.RandomLora(model, 4);
        var grads = lora.ZerosLike();
        var set = Set(8, maxTokens: 6);
        var head = new ClassificationHead(config.HiddenSize, 2, new Rng(5), pooling);
        var task = new ClassificationTask(head, set, set);
        var graph = new TrainingGraph(model, lora, null, grads, batch: 3, tokens: 5);
        var batch = new ClassificationBatch(3, 5);
        batch.Fill(set, [0, 5, 3]);                            // full, padded, and padded rows
        var parameters = TaskTrainer.Parameters(lora, grads, task);
        parameters.ZeroGradients();
        task.ForwardBackward(graph, batch);
        var rng = new Rng(6);
        const float h = 1e-3f; // the tiny random model is curved enough that 1e-2 is already visibly nonlinear
        foreach (var (name, value, grad) in parameters.Items)
        {
            var v = value.Span;
            double scale = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(grad.Span) / v.Length) + 1e-4;
            for (int sample = 0; sample < 3; sample++)
            {
                int i = rng.NextInt(v.Length);
                float original = v[i];
                v[i] = original + h;
                double plus = task.Loss(graph, batch);
                v[i] = original - h;
                double minus = task.Loss(graph, batch);
                v[i] = original;
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - grad.Span[i]) <= 0.03 * Math.Abs(numeric) + 0.02 * scale + 2e-4,
                    $"{name}[{i}]: analytic {grad.Span[i]:G6}, numeric {numeric:G6}");
            }
        }
        Assert.Equal(lora.Adapters.Count() * 2 + 2, parameters.Items.Count);
        Assert.Equal(["score.weight", "score.bias"], parameters.Items.TakeLast(2).Select(p => p.Name));
    }

    [Fact]
    public void EvaluationDoesNotDependOnBatchSize()
    {
        var config = TinyModels.Config(tied: false);
        var model = TinyModels.Random(config, 7);
        var set = Set(7);
        var head = new ClassificationHead(config.HiddenSize, 2, new Rng(8));
        var task = new ClassificationTask(head, set, set);
        var byOne = task.Evaluate(new TrainingGraph(model, null, null, null, batch: 1, tokens: 8));
        var byThree = task.Evaluate(new TrainingGraph(model, null, null, null, batch: 3, tokens: 8));
        Assert.Equal("accuracy", byThree.Metric);
        Assert.Equal(7, byThree.Count);
        Assert.Equal(byOne.Value, byThree.Value);
        Assert.Equal(byOne.Loss, byThree.Loss, 5);
        var logits = new float[2];
        var one = new TrainingGraph(model, null, null, null, batch: 1, tokens: 8);
        var batch = new ClassificationBatch(1, 8);
        int correct = 0;
        for (int i = 0; i < set.Count; i++)
        {
            batch.Fill(set, [i]);
            one.ForwardHidden(batch.Inputs);
            head.Forward(one.Hidden.Span, batch.Lengths, 8, logits);
            correct += (logits[1] > logits[0] ? 1 : 0) == set.Label(i) ? 1 : 0;
        }
        Assert.Equal(correct / 7.0, byThree.Value, 12);
    }

    [Fact]
    public void NonFiniteLossStopsTheStepBeforeAnyUpdate()
    {
        var config = TinyModels.Config(tied: false);
        var model = TinyModels.Random(config, 9);
        var lora = LoraWeights.Allocate(model, LoraTargets.All, rank: 2, alpha: 4);
        lora.InitializeForTraining(new Rng(10));
        var grads = lora.ZerosLike();
        var set = Set(8);
        var task = new ClassificationTask(new ClassificationHead(config.HiddenSize, 2, new Rng(11)), set, set);
        var parameters = TaskTrainer.Parameters(lora, grads, task);
        var optimizer = new AdamWOptimizer(parameters, new AdamWSettings());
        var graph = new TrainingGraph(model, lora, null, grads, 2, 8);
        task.Head.Weight.Span[0] = float.NaN;
        float[] before = lora.Adapters.First().Adapter.A.Span.ToArray();
        var e = Assert.Throws<InvalidOperationException>(() => TaskTrainer.Step(task, graph, parameters, optimizer, new Rng(12)));
        Assert.Contains("NaN", e.Message);
        Assert.Equal(before, lora.Adapters.First().Adapter.A.Span.ToArray());
        Assert.Equal(0, optimizer.StepCount);
    }

    [Fact]
    public void MismatchedClassesAndShapesAreRejected()
    {
        var set = Set(4);
        var three = new ClassificationHead(24, 3, new Rng(13));
        Assert.Contains("2 classes, but the head has 3", Assert.Throws<ArgumentException>(() => new ClassificationTask(three, set, set)).Message);
        var config = TinyModels.Config(tied: false);
        var task = new ClassificationTask(new ClassificationHead(16, 2, new Rng(14)), set, set);
        var graph = new TrainingGraph(TinyModels.Random(config, 15), null, null, null, 2, 8);
        Assert.Contains("hidden size is 24", Assert.Throws<ArgumentException>(() => task.Evaluate(graph)).Message);
    }
}
