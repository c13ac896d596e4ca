// Language-model data and task: windows of tokens+1 ids (sequential ones score every target once, random ones stay
// inside the stream), files joined with BOS, perplexity = exp(mean token loss) whatever the batch, and real fine-tuning.
using FedSpine.Model.Formats;
using FedSpine.Model.Lora;
using FedSpine.Model.Tasks;
using FedSpine.Model.Tokenizers;
using FedSpine.Model.Training;
using FedSpine.Tensors;
using Xunit.Abstractions;

namespace FedSpine.Model.Tests.Tasks;

public class LanguageModelTaskTests(ITestOutputHelper output)
{
    private static LanguageModelDataset Ascending(int count) => new(Enumerable.Range(0, count).ToArray(), "ascending");

    [Fact]
    public void SequentialWindowsShareOneIdAndFillerRowsAreIgnored()
    {
        var data = Ascending(23);
        Assert.Equal(4, data.WindowCount(5));                   // 22 targets hold 4 windows of 5
        var inputs = new int[3 * 5];
        var targets = new int[3 * 5];
        int rows = data.SequentialWindows(2, 3, 5, inputs, targets);
        Assert.Equal(2, rows);
        Assert.Equal([10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 0, 0, 0, 0, 0], inputs);
        Assert.Equal([11, 12, 13, 14, 15, 16, 17, 18, 19, 20, -1, -1, -1, -1, -1], targets);
        Assert.Equal(1, data.SequentialWindows(0, 3, 5, inputs, targets, windowLimit: 1));
        Assert.Equal(-1, targets[5]);
    }

    [Fact]
    public void RandomWindowsStayInsideTheStream()
    {
        var data = Ascending(12);
        var inputs = new int[4 * 6];
        var targets = new int[4 * 6];
        var rng = new Rng(1);
        var starts = new HashSet<int>();
        for (int trial = 0; trial < 50; trial++)
        {
            data.RandomWindows(rng, 4, 6, inputs, targets);
            for (int r = 0; r < 4; r++)
            {
                int start = inputs[r * 6];
                starts.Add(start);
                for (int t = 0; t < 6; t++)
                {
                    Assert.Equal(start + t, inputs[r * 6 + t]);
                    Assert.Equal(start + t + 1, targets[r * 6 + t]);
                }
            }
        }
        Assert.Equal(Enumerable.Range(0, 6), starts.Order());  // every start 0..5 used, none past the end
        Assert.Throws<ArgumentException>(() => data.RandomWindows(rng, 1, 12, new int[12], new int[12]));
    }

    [Fact]
    public void FilesAreJoinedWithBosAndSplitAtTheTail()
    {
        using var dir = new TempFolder();
        var tokenizer = new CharTokenizer(29);
        var data = LanguageModelDataset.FromFiles([dir.Write("a.txt", "abc"), dir.Write("b.txt", "de")], tokenizer);
        int[] expected = [.. tokenizer.Encode("abc", bos: true, eos: false), .. tokenizer.Encode("de", bos: true, eos: false)];
        Assert.Equal(expected, data.Tokens.ToArray());
        var (train, heldOut) = data.SplitTail(0.25);
        Assert.Equal(expected[..5], train.Tokens.ToArray());
        Assert.Equal(expected[5..], heldOut.Tokens.ToArray());
        Assert.Throws<FileNotFoundException>(() => LanguageModelDataset.FromFiles([System.IO.Path.Combine(dir.Path, "none.txt")], tokenizer));
    }

    [Fact]
    public void PerplexityIsExpOfMeanTokenLossWhateverTheBatch()
    {
        var config = TinyModels.Config(tied: false);
        var model = TinyModels.Random(config, 2);
        var rng = new Rng(3);
        var stream = new LanguageModelDataset(Enumerable.Range(0, 40).Select(_ => rng.NextInt(config.VocabSize)).ToArray(), "random");
        var task = new LanguageModelTask(stream, stream, maxEvalWindows: 5);
        var byTwo = task.Evaluate(new TrainingGraph(model, null, null, null, batch: 2, tokens: 6));
        var byFour = task.Evaluate(new TrainingGraph(model, null, null, null, batch: 4, tokens: 6));
        var one = new TrainingGraph(model, null, null, null, batch: 1, tokens: 6);
        double sum = 0;
        var inputs = new int[6];
        var targets = new int[6];
        for (int w = 0; w < 5; w++)
        {
            stream.SequentialWindows(w, 1, 6, inputs, targets);
            sum += one.Loss(inputs, targets);
        }
        Assert.Equal("perplexity", byTwo.Metric);
        Assert.Equal(30, byTwo.Count);
        Assert.Equal(sum / 5, byTwo.Loss, 5);
        Assert.Equal(byTwo.Loss, byFour.Loss, 5);
        Assert.Equal(Math.Exp(byTwo.Loss), byTwo.Value, 9);
    }

    [Fact]
    public void TrainingStepUsesTheWindowsItsRngDraws()
    {
        var config = TinyModels.Config(tied: true);
        var model = TinyModels.Random(config, 4);
        var lora = TinyModels.RandomLora(model, 5);
        var grads = lora.ZerosLike();
        var graph = new TrainingGraph(model, lora, null, grads, 2, 5);
        var rng = new Rng(6);
        var stream = new LanguageModelDataset(Enumerable.Range(0, 30).Select(_ => rng.NextInt(config.VocabSize)).ToArray(), "random");
        var task = new LanguageModelTask(stream, stream);
        Assert.Empty(task.Parameters);
        var parameters = TaskTrainer.Parameters(lora, grads, task);
        parameters.ZeroGradients();
        float loss = task.ForwardBackward(graph, new Rng(7));
        float[] viaTask = grads.Adapters.First().Adapter.B.Span.ToArray();
        var inputs = new int[10];
        var targets = new int[10];
        stream.RandomWindows(new Rng(7), 2, 5, inputs, targets);
        parameters.ZeroGradients();
        Assert.Equal(graph.ForwardBackward(inputs, targets), loss);
        Assert.Equal(grads.Adapters.First().Adapter.B.Span.ToArray(), viaTask);
    }

    [SharedDataFact]
    public void LoraLowersHeldOutPerplexityOnAusten()
    {
        var (_, model) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        var tokenizer = Llama2cTokenizer.Load(SharedData.Tok512);
        var (train, heldOut) = LanguageModelDataset.FromFiles([SharedData.File("data/austen/northanger_abbey.txt")], tokenizer).SplitTail(0.1);
        var task = new LanguageModelTask(train, heldOut, maxEvalWindows: 8);
        var lora = LoraWeights.Allocate(model, LoraTargets.All, rank: 8, alpha: 16);
        lora.InitializeForTraining(new Rng(1));
        var grads = lora.ZerosLike();
        var parameters = TaskTrainer.Parameters(lora, grads, task);
        var optimizer = new AdamWOptimizer(parameters, new AdamWSettings(LearningRate: 1e-2f, WeightDecay: 0f));
        var graph = new TrainingGraph(model, lora, null, grads, batch: 4, tokens: 64);
        var before = task.Evaluate(graph);
        var rng = new Rng(2);
        for (int step = 0; step < 25; step++)
        {
            TaskTrainer.Step(task, graph, parameters, optimizer, rng);
        }
        var after = task.Evaluate(graph);
        output.WriteLine($"held-out Northanger Abbey: {before} -> {after}");
        Assert.Equal(8 * 64, after.Count);
        Assert.True(after.Value < 0.8 * before.Value, $"perplexity {before.Value:F1} -> {after.Value:F1}; expected a drop of more than 20%");
    }
}
