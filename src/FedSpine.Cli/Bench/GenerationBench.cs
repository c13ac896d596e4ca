// Times greedy token-by-token generation with the KV cache (batch 1) as the PyTorch peer does: start from token 1,
// min(seq_len, 256) positions; warm-up passes for at least a second (JIT tiering), then the median of timed passes.
using System.Diagnostics;
using FedSpine.Cli.Infrastructure;
using FedSpine.Model;
using FedSpine.Model.Inference;
using FedSpine.Tensors;

namespace FedSpine.Cli.Bench;

internal static class GenerationBench
{
    public static Dictionary<string, object?> Run(LlamaWeights model, string preset, int seqLen, int timedPasses = 3)
    {
        int n = Math.Min(seqLen, 256);
        var decoder = new CachedDecoder(model, null, n);
        var warmUp = Stopwatch.StartNew();
        do
        {
            Pass(decoder, n);
        }
        while (warmUp.Elapsed.TotalSeconds < 1.0);
        var times = Enumerable.Range(0, timedPasses).Select(_ => Pass(decoder, n)).Order().ToList();
        double seconds = times[times.Count / 2];
        return new Dictionary<string, object?>
        {
            ["engine"] = "fedspine",
            ["preset"] = preset,
            ["mode"] = "generate",
            ["params"] = model.ParameterCount,
            ["threads"] = WorkerPool.ThreadCount,
            ["tokens"] = n,
            ["seconds"] = seconds,
            ["tokens_per_s"] = n / seconds,
            ["kv_cache_bytes"] = decoder.Cache.Bytes,
            ["peak_memory_bytes"] = PeakMemory.Bytes(),
        };
    }

    /// <summary>One greedy pass of n positions from token 1; returns its duration in seconds.</summary>
    private static double Pass(CachedDecoder decoder, int n)
    {
        int token = 1;
        var clock = Stopwatch.StartNew();
        for (int pos = 0; pos < n; pos++)
        {
            token = RunCSampler.ArgMax(decoder.Step(token, pos));
        }
        return clock.Elapsed.TotalSeconds;
    }
}
