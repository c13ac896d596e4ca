// Times greedy token-by-token generation with the KV cache (batch 1) as the PyTorch peer does: start from token 1,
// min(seq_len, 256) positions, a first pass to warm up, the second pass timed.
using System.Diagnostics;
using FedSpine.Cli.Infrastructure;
using FedSpine.Model;
using FedSpine.Model.Inference;
using FedSpine.Tensors;

namespace FedSpine.Cli.Bench;

internal static class GenerationBench
{
    public static Dictionary<string, object?> Run(LlamaWeights model, string preset, int seqLen, int repetitions = 2)
    {
        int n = Math.Min(seqLen, 256);
        var decoder = new CachedDecoder(model, null, n);
        double seconds = double.MaxValue;
        for (int rep = 0; rep < Math.Max(2, repetitions); rep++)
        {
            int token = 1;
            var clock = Stopwatch.StartNew();
            for (int pos = 0; pos < n; pos++)
            {
                var logits = decoder.Step(token, pos);
                token = RunCSampler.ArgMax(logits);
            }
            double elapsed = clock.Elapsed.TotalSeconds;
            if (rep > 0)
            {
                seconds = Math.Min(seconds, elapsed); // first pass warms up; best of the rest
            }
        }
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
}
