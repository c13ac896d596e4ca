// A LoRA run on the real stories260K model, trained on Jane Austen text (../shared/data/austen), lowers the loss on
// held-out Austen text clearly: the adapter learns, the base stays frozen.
using FedSpine.Model.Formats;
using FedSpine.Model.Lora;
using FedSpine.Model.Tokenizers;
using FedSpine.Model.Training;
using FedSpine.Tensors;
using Xunit.Abstractions;

namespace FedSpine.Model.Tests;

public class LoraTrainingTests(ITestOutputHelper output)
{
    [SharedDataFact]
    public void LoraOnAustenLowersHeldOutLoss()
    {
        const int batch = 4, tokens = 64, steps = 60;
        var (_, model) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        var tokenizer = Llama2cTokenizer.Load(SharedData.Tok512);
        string text = File.ReadAllText(SharedData.File("data/austen/pride_and_prejudice.txt"));
        int[] ids = tokenizer.Encode(text[..120_000], bos: false, eos: false);
        int evalStart = ids.Length - batch * (tokens + 1);

        var lora = LoraWeights.Allocate(model, LoraTargets.All, rank: 8, alpha: 16);
        lora.InitializeForTraining(new Rng(7));
        var grads = lora.ZerosLike();
        var parameters = ParameterSet.FromLora(lora, grads);
        var optimizer = new AdamWOptimizer(parameters, new AdamWSettings(LearningRate: 1e-2f, WeightDecay: 0f));
        var graph = new TrainingGraph(model, lora, null, grads, batch, tokens);
        var (evalInputs, evalTargets) = Window(ids, evalStart, batch, tokens);
        float before = graph.Loss(evalInputs, evalTargets);
        var rng = new Rng(8);
        for (int step = 0; step < steps; step++)
        {
            var (inputs, targets) = Window(ids, rng.NextInt(evalStart - batch * (tokens + 1)), batch, tokens);
            parameters.ZeroGradients();
            graph.ForwardBackward(inputs, targets);
            parameters.ClipGradients(1.0);
            optimizer.Step();
        }
        float after = graph.Loss(evalInputs, evalTargets);
        output.WriteLine($"held-out loss {before:F3} -> {after:F3}");
        Assert.True(after < before - 0.3f, $"held-out loss went from {before:F3} to {after:F3}; expected a drop of more than 0.3 nats");
    }

    /// <summary>batch consecutive rows of tokens+1 ids from start: inputs and next-token targets, [batch·tokens] each.</summary>
    private static (int[] Inputs, int[] Targets) Window(int[] ids, int start, int batch, int tokens)
    {
        var inputs = new int[batch * tokens];
        var targets = new int[batch * tokens];
        for (int b = 0; b < batch; b++)
        {
            int s = start + b * (tokens + 1);
            Array.Copy(ids, s, inputs, b * tokens, tokens);
            Array.Copy(ids, s + 1, targets, b * tokens, tokens);
        }
        return (inputs, targets);
    }
}
