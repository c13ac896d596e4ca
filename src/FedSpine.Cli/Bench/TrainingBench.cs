// Times training steps (full or LoRA) the way ../shared/bench/torch_peer.py does: random tokens, AdamW lr 1e-3,
// one warm-up step, then the median of the timed steps; reports the peer's JSON keys plus peak memory.
using System.Diagnostics;
using FedSpine.Cli.Infrastructure;
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Cli.Bench;

internal static class TrainingBench
{
    public static Dictionary<string, object?> Run(LlamaWeights model, string preset, bool lora, int rank, int steps, int batch, int seqLen, ulong seed)
    {
        var c = model.Config;
        var rng = new Rng(seed);
        LoraWeights? adapters = null;
        TrainingGraph graph;
        ParameterSet parameters;
        if (lora)
        {
            adapters = LoraWeights.Allocate(model, LoraTargets.All, rank, alpha: 16);
            adapters.InitializeForTraining(rng);
            var grads = adapters.ZerosLike();
            parameters = ParameterSet.FromLora(adapters, grads);
            graph = new TrainingGraph(model, adapters, null, grads, batch, seqLen);
        }
        else
        {
            var grads = LlamaWeights.Allocate(c, model.LayerShapes);
            parameters = ParameterSet.FromModel(model, grads);
            graph = new TrainingGraph(model, null, grads, null, batch, seqLen);
        }
        var optimizer = new AdamWOptimizer(parameters, new AdamWSettings(LearningRate: 1e-3f));
        var tokens = new int[batch * (seqLen + 1)];
        for (int i = 0; i < tokens.Length; i++)
        {
            tokens[i] = rng.NextInt(c.VocabSize);
        }
        var inputs = new int[batch * seqLen];
        var targets = new int[batch * seqLen];
        for (int b = 0; b < batch; b++)
        {
            Array.Copy(tokens, b * (seqLen + 1), inputs, b * seqLen, seqLen);
            Array.Copy(tokens, b * (seqLen + 1) + 1, targets, b * seqLen, seqLen);
        }
        var progress = new ProgressBar($"bench {preset} {(lora ? "lora" : "full")}", steps + 1, "steps");
        var times = new List<double>();
        float loss = 0;
        for (int step = 0; step <= steps; step++)
        {
            var clock = Stopwatch.StartNew();
            parameters.ZeroGradients();
            loss = graph.ForwardBackward(inputs, targets);
            optimizer.Step();
            times.Add(clock.Elapsed.TotalSeconds);
            progress.Report(step + 1, $"loss {loss:F3}");
        }
        var timed = times.Skip(1).Order().ToList();
        double median = timed[timed.Count / 2];
        return new Dictionary<string, object?>
        {
            ["engine"] = "fedspine",
            ["preset"] = preset,
            ["mode"] = lora ? "lora" : "full",
            ["rank"] = lora ? rank : null,
            ["params"] = model.ParameterCount + (adapters?.ParameterCount ?? 0),
            ["trainable"] = parameters.Count,
            ["threads"] = WorkerPool.ThreadCount,
            ["batch"] = batch,
            ["seq_len"] = seqLen,
            ["median_step_s"] = median,
            ["tokens_per_s"] = batch * seqLen / median,
            ["loss"] = loss,
            ["activation_bytes"] = graph.ActivationBytes,
            ["peak_memory_bytes"] = PeakMemory.Bytes(),
        };
    }
}
