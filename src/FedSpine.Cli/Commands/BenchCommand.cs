// `fedspine bench`: one JSON line on stdout per measurement, with the keys of ../shared/bench/torch_peer.py
// (training step or greedy generation on a preset shape or a real model), or GEMM GFLOP/s for --gemm N.
using System.CommandLine;
using System.Text.Json;
using FedSpine.Cli.Bench;
using FedSpine.Cli.Infrastructure;
using FedSpine.Model;
using FedSpine.Tensors;

namespace FedSpine.Cli.Commands;

internal static class BenchCommand
{
    public static Command Create()
    {
        var preset = new Option<string?>("--preset") { Description = "bench-30m or stories260k (random weights, the peer's shapes)" };
        var model = new Option<string?>("--model") { Description = "a real model (llama2.c .bin or HF folder) instead of a preset" };
        var mode = new Option<string>("--mode") { Description = "lora, full or generate", DefaultValueFactory = _ => "lora" };
        var rank = new Option<int>("--rank") { Description = "LoRA rank on q,k,v,o,gate,up,down", DefaultValueFactory = _ => 8 };
        var steps = new Option<int>("--steps") { Description = "timed training steps (after one warm-up)", DefaultValueFactory = _ => 5 };
        var batch = new Option<int?>("--batch") { Description = "batch size (default: the preset's, 8 for --model)" };
        var seqLen = new Option<int?>("--seq-len") { Description = "tokens per row (default: the preset's, min(256, context) for --model)" };
        var gemm = new Option<int?>("--gemm") { Description = "measure an N×N×N matrix product instead, in GFLOP/s" };
        var threads = new Option<int?>("--threads") { Description = "worker threads (default: all cores)" };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 0UL };
        var command = new Command("bench", "Measure training/generation throughput and memory, or GEMM speed; prints JSON")
        {
            preset, model, mode, rank, steps, batch, seqLen, gemm, threads, seed,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            if (parse.GetValue(threads) is int t)
            {
                WorkerPool.ThreadCount = t;
            }
            Dictionary<string, object?> result;
            if (parse.GetValue(gemm) is int n)
            {
                if (n <= 0)
                {
                    throw new ArgumentException($"--gemm must be positive (got {n})");
                }
                double gflops = GemmBenchmark.MeasureGflops(n, n, n, false, false, repetitions: 5);
                result = new() { ["engine"] = "fedspine", ["gemm"] = n, ["threads"] = WorkerPool.ThreadCount, ["gflops"] = gflops };
            }
            else
            {
                result = RunModelBench(parse.GetValue(preset), parse.GetValue(model), parse.GetValue(mode)!, parse.GetValue(rank),
                    parse.GetValue(steps), parse.GetValue(batch), parse.GetValue(seqLen), parse.GetValue(seed));
            }
            Console.Out.WriteLine(JsonSerializer.Serialize(result));
            return 0;
        }));
        return command;
    }

    private static Dictionary<string, object?> RunModelBench(string? presetName, string? modelPath, string mode, int rank, int steps, int? batch, int? seqLen, ulong seed)
    {
        if ((presetName is null) == (modelPath is null))
        {
            throw new ArgumentException("give exactly one of --preset and --model");
        }
        LlamaWeights weights;
        string name;
        int defaultBatch, defaultSeq;
        if (presetName is not null)
        {
            var preset = ModelPresets.Find(presetName);
            weights = LlamaWeights.Allocate(preset.Config);
            ModelPresets.RandomInitialize(weights, new Rng(seed));
            name = preset.Name;
            (defaultBatch, defaultSeq) = (preset.Batch, preset.SeqLen);
        }
        else
        {
            weights = ModelLoader.LoadWeights(modelPath!); // benchmarks need no text: the tokenizer is not read
            name = modelPath!;
            (defaultBatch, defaultSeq) = (8, Math.Min(256, weights.Config.MaxPositionEmbeddings));
        }
        int b = batch ?? defaultBatch, t = seqLen ?? defaultSeq;
        if (b <= 0 || t <= 0 || steps <= 0 || rank <= 0)
        {
            throw new ArgumentException("--batch, --seq-len, --steps and --rank must be positive");
        }
        return mode switch
        {
            "generate" => GenerationBench.Run(weights, name, t),
            "lora" => TrainingBench.Run(weights, name, lora: true, rank, steps, b, t, seed),
            "full" => TrainingBench.Run(weights, name, lora: false, rank, steps, b, t, seed),
            _ => throw new ArgumentException($"--mode must be lora, full or generate (got '{mode}')"),
        };
    }
}
