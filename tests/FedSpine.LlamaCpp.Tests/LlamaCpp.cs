// llama.cpp (the native library inside LLamaSharp.Backend.Cpu 0.30.0) as an independent runtime for our GGUF files: loads
// once, tokenizes text, greedy-decodes (argmax, first index on ties; f32 KV cache, no flash attention) on one thread.
using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;
using FedSpine.Model.Inference;

namespace FedSpine.LlamaCpp.Tests;

internal static class LlamaCpp
{
    private static readonly Lazy<string?> LazyProblem = new(TryLoad);
    private static readonly StringBuilder Log = new();

    /// <summary>Why the native library could not load, or null when it loaded.</summary>
    public static string? LoadProblem => LazyProblem.Value;

    /// <summary>Why a llama.cpp test cannot run here (the library not loading, or ../shared absent for a test that reads it), or null.</summary>
    public static string? SkipReason(bool needsSharedData) => LoadProblem ?? (needsSharedData && SharedData.Folder is null ? SharedData.MissingMessage : null);

    /// <summary>What llama.cpp logged at warning level or above since the last call (to explain a refused file).</summary>
    public static string TakeLog()
    {
        lock (Log)
        {
            string text = Log.ToString();
            Log.Clear();
            return text;
        }
    }

    /// <summary>The token ids llama.cpp gives each text (its vocabulary only is loaded), BOS first when <paramref name="bos"/>;
    /// added tokens written in the text are matched as tokens, as our tokenizers do.</summary>
    public static int[][] Tokenize(string ggufPath, IReadOnlyList<string> texts, bool bos)
    {
        using var weights = Load(ggufPath, vocabOnly: true);
        return texts.Select(text => weights.Tokenize(text, bos, special: true, Encoding.UTF8).Select(t => (int)t).ToArray()).ToArray();
    }

    /// <summary>Feeds the prompt, then appends the argmax of llama.cpp's logits <paramref name="steps"/> times; also returns
    /// the logits [steps][vocab] each token was chosen from.</summary>
    public static (int[] Tokens, float[][] Logits) Greedy(string ggufPath, int[] prompt, int steps)
    {
        using var weights = Load(ggufPath);
        using var context = weights.CreateContext(Parameters(ggufPath));
        var batch = new LLamaBatch();
        var generated = new List<int>(steps);
        var logits = new List<float[]>(steps);
        for (int i = 0; i < prompt.Length; i++)
        {
            batch.Add(prompt[i], i, LLamaSeqId.Zero, i == prompt.Length - 1);
        }
        for (int step = 0; step < steps; step++)
        {
            var status = context.NativeHandle.Decode(batch);
            if (status != DecodeResult.Ok)
            {
                throw new InvalidOperationException($"llama.cpp decode failed at step {step}: {status}; {TakeLog()}");
            }
            logits.Add(context.NativeHandle.GetLogitsIth(batch.TokenCount - 1).ToArray());
            int next = RunCSampler.ArgMax(logits[^1]);
            generated.Add(next);
            batch.Clear();
            batch.Add(next, prompt.Length + step, LLamaSeqId.Zero, true);
        }
        return (generated.ToArray(), logits.ToArray());
    }

    private static LLamaWeights Load(string ggufPath, bool vocabOnly = false)
    {
        TakeLog();
        try
        {
            var parameters = Parameters(ggufPath);
            parameters.VocabOnly = vocabOnly;
            return LLamaWeights.LoadFromFile(parameters);
        }
        catch (Exception e) when (e is LLama.Exceptions.LoadWeightsFailedException)
        {
            throw new InvalidOperationException($"llama.cpp refused {Path.GetFileName(ggufPath)}: {TakeLog()}", e);
        }
    }

    private static ModelParams Parameters(string ggufPath) => new(ggufPath)
    {
        ContextSize = 256,
        BatchSize = 256,
        Threads = 1,
        BatchThreads = 1,
        GpuLayerCount = 0,
        TypeK = GGMLType.GGML_TYPE_F32, // the KV cache in f32 as ours (llama.cpp's default f16 rounds keys and values)
        TypeV = GGMLType.GGML_TYPE_F32,
        FlashAttention = false,         // its CPU kernel rounds through f16 (logits then differ by ~1e-2, not ~1e-5)
    };

    private static string? TryLoad()
    {
        try
        {
            NativeLibraryConfig.All.WithLogCallback((level, message) =>
            {
                if (level is LLamaLogLevel.Warning or LLamaLogLevel.Error)
                {
                    lock (Log)
                    {
                        Log.Append(message);
                    }
                }
            });
            NativeApi.llama_empty_call();
            return null;
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or BadImageFormatException
            or EntryPointNotFoundException or LLama.Exceptions.RuntimeError)
        {
            return $"llama.cpp's native library (LLamaSharp.Backend.Cpu 0.30.0) could not load on this machine: {e.GetBaseException().Message}";
        }
    }
}

/// <summary>A fact that skips only where llama.cpp's native library cannot load here (or, when it reads them, where the
/// models of ../shared are absent), saying why.</summary>
public sealed class LlamaCppFactAttribute(bool needsSharedData = false) : FactAttribute
{
    public override string? Skip { get => base.Skip ?? LlamaCpp.SkipReason(needsSharedData); set => base.Skip = value; }
}

/// <summary>A theory that skips as LlamaCppFact does.</summary>
public sealed class LlamaCppTheoryAttribute(bool needsSharedData = false) : TheoryAttribute
{
    public override string? Skip { get => base.Skip ?? LlamaCpp.SkipReason(needsSharedData); set => base.Skip = value; }
}
