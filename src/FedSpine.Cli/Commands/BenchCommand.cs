// `fedspine bench`: one JSON line on stdout per measurement, with the keys of ../shared/bench/torch_peer.py
// (training step or greedy generation on a preset shape or a real model), GEMM GFLOP/s for --gemm N, or the FMA peak
// (--peak) of the instruction-set path the kernels take (IsaPath; forced with the runtime's DOTNET_ switches).
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
        var preset = new Option<string?>("--preset") { Description = "bench-30m, stories260k or smollm2-135m (random weights, the peer's shapes)" };
        var model = new Option<string?>("--model") { Description = "a real model (llama2.c .bin or HF folder) instead of a preset" };
        var mode = new Option<string>("--mode") { Description = "lora, full or generate", DefaultValueFactory = _ => "lora" };
        var rank = new Option<int>("--rank") { Description = "LoRA rank on q,k,v,o,gate,up,down", DefaultValueFactory = _ => 8 };
        var steps = new Option<int>("--steps") { Description = "timed training steps (after one warm-up)", DefaultValueFactory = _ => 5 };
        var batch = new Option<int?>("--batch") { Description = "batch size (default: the preset's, 8 for --model)" };
        var seqLen = new Option<int?>("--seq-len") { Description = "tokens per row (default: the preset's, min(256, context) for --model)" };
        var gemm = new Option<int?>("--gemm") { Description = "measure an N×N×N matrix product instead, in GFLOP/s and as a fraction of the FMA peak" };
        var peak = new Option<bool>("--peak") { Description = "measure the fp32 FMA peak of the kernels' instruction-set path on all threads instead" };
        var threads = new Option<int?>("--threads") { Description = "worker threads (default: all cores)" };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 0UL };
        var weightsDtype = new Option<string>("--weights-dtype") { Description = WeightsDtype.Description + "; lora and generate only", DefaultValueFactory = _ => "f32" };
        var command = new Command("bench", "Measure training/generation throughput and memory, or GEMM speed; prints JSON")
        {
            preset, model, mode, rank, steps, batch, seqLen, gemm, peak, threads, seed, weightsDtype,
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
                double peakGflops = FmaPeak.MeasureGflops(IsaPath.Current);
                result = new()
                {
                    ["engine"] = "fedspine", ["gemm"] = n, ["isa"] = IsaPath.Name(IsaPath.Current), ["threads"] = WorkerPool.ThreadCount,
                    ["gflops"] = gflops, ["peak_gflops"] = peakGflops, ["fraction_of_peak"] = gflops / peakGflops,
                };
            }
            else if (parse.GetValue(peak))
            {
                result = new()
                {
                    ["engine"] = "fedspine", ["isa"] = IsaPath.Name(IsaPath.Current), ["threads"] = WorkerPool.ThreadCount,
                    ["peak_gflops"] = FmaPeak.MeasureGflops(IsaPath.Current),
                };
            }
            else
            {
                result = RunModelBench(parse.GetValue(preset), parse.GetValue(model), parse.GetValue(mode)!, parse.GetValue(rank),
                    parse.GetValue(steps), parse.GetValue(batch), parse.GetValue(seqLen), parse.GetValue(seed), parse.GetValue(weightsDtype)!);
            }
            Console.Out.WriteLine(JsonSerializer.Serialize(result));
            return 0;
        }));
        return command;
    }

    private static Dictionary<string, object?> RunModelBench(string? presetName, string? modelPath, string mode, int rank, int steps, int? batch, int? seqLen, ulong seed, string weightsDtype)
    {
        if ((presetName is null) == (modelPath is null))
        {
            throw new ArgumentException("give exactly one of --preset and --model");
        }
        if (mode is not ("generate" or "lora" or "full"))
        {
            throw new ArgumentException($"--mode must be lora, full or generate (got '{mode}')");
        }
        bool bf16 = WeightsDtype.IsBf16(weightsDtype);
        if (mode == "full" && bf16)
        {
            throw new ArgumentException("--weights-dtype bf16 holds a frozen base; --mode full trains every weight in fp32 (use lora or generate)");
        }
        LlamaWeights weights;
        string name;
        int defaultBatch, defaultSeq;
        if (presetName is not null)
        {
            var preset = ModelPresets.Find(presetName);
            if (bf16)
            {
                weights = ModelPresets.RandomFrozenBf16(preset.Config, new Rng(seed)); // never an fp32 copy: peak memory shows it
            }
            else
            {
                weights = LlamaWeights.Allocate(preset.Config);
                ModelPresets.RandomInitialize(weights, new Rng(seed));
            }
            name = preset.Name;
            (defaultBatch, defaultSeq) = (preset.Batch, preset.SeqLen);
        }
        else
        {
            weights = ModelLoader.LoadWeights(modelPath!, bf16); // benchmarks need no text: the tokenizer is not read
            name = modelPath!;
            (defaultBatch, defaultSeq) = (8, Math.Min(256, weights.Config.MaxPositionEmbeddings));
        }
        int b = batch ?? defaultBatch, t = seqLen ?? defaultSeq;
        if (b <= 0 || t <= 0 || steps <= 0 || rank <= 0)
        {
            throw new ArgumentException("--batch, --seq-len, --steps and --rank must be positive");
        }
        var result = mode switch
        {
            "generate" => GenerationBench.Run(weights, name, t),
            "lora" => TrainingBench.Run(weights, name, lora: true, rank, steps, b, t, seed),
            _ => TrainingBench.Run(weights, name, lora: false, rank, steps, b, t, seed),
        };
        result["isa"] = IsaPath.Name(IsaPath.Current);
        result["weights_dtype"] = weights.HoldsBf16 ? "bf16" : "f32";
        result["weight_bytes"] = weights.WeightBytes;
        result["weight_scratch_bytes"] = weights.ScratchBytes;
        return result;
    }
}
