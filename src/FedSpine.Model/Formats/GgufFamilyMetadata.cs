// What a GGUF keeps of a config beyond the llama basics: model_type (fedspine.model_type unless llama), Mistral's window
// ({arch}.attention.sliding_window), linear rope scaling ({arch}.rope.scaling.*) and llama3 scaling (llama.cpp's
// rope_freqs.weight tensor plus fedspine.rope_scaling.* keys so it reloads exactly). Refused: dynamic NTK (no GGUF form) and
// a window shorter than the context (llama.cpp's llama architecture ignores it).
namespace FedSpine.Model.Formats;

internal static class GgufFamilyMetadata
{
    public const string RopeFreqsTensor = "rope_freqs.weight";
    private const string ModelTypeKey = "fedspine.model_type";
    private const string WindowKey = ".attention.sliding_window";      // after the architecture name
    private const string ScalingTypeKey = ".rope.scaling.type";
    private const string ScalingFactorKey = ".rope.scaling.factor";
    private const string Llama3Prefix = "fedspine.rope_scaling.";

    public static IEnumerable<KeyValuePair<string, GgufValue>> Metadata(LlamaConfig c, string arch)
    {
        if (c.ModelType != "llama")
        {
            yield return new(ModelTypeKey, GgufValue.String(c.ModelType));
        }
        if (c.AttentionWindow > 0 && c.AttentionWindow < c.MaxPositionEmbeddings)
        {
            // Checked with llama.cpp (LLamaSharp 0.30.0): its llama architecture reads no window and attends to everything.
            throw new InvalidDataException(
                $"sliding_window {c.AttentionWindow} is shorter than max_position_embeddings {c.MaxPositionEmbeddings}: llama.cpp's llama " +
                $"architecture ignores the window, so past {c.AttentionWindow} tokens it would compute other logits; export --format hf instead");
        }
        if (c.AttentionWindow > 0)
        {
            yield return new(arch + WindowKey, GgufValue.UInt32((uint)c.AttentionWindow));
        }
        switch (c.RopeScaling?.Type)
        {
            case null or "default":
                break;
            case "linear":
                yield return new(arch + ScalingTypeKey, GgufValue.String("linear"));
                yield return new(arch + ScalingFactorKey, GgufValue.Float32((float)c.RopeScaling.Factor));
                break;
            case "llama3":
                var s = c.RopeScaling;
                yield return new(Llama3Prefix + "type", GgufValue.String("llama3"));
                yield return new(Llama3Prefix + "factor", GgufValue.Float32((float)s.Factor));
                yield return new(Llama3Prefix + "low_freq_factor", GgufValue.Float32((float)s.LowFreqFactor!.Value));
                yield return new(Llama3Prefix + "high_freq_factor", GgufValue.Float32((float)s.HighFreqFactor!.Value));
                yield return new(Llama3Prefix + "original_max_position_embeddings", GgufValue.UInt32((uint)s.OriginalMaxPositionEmbeddings!.Value));
                break;
            default:
                throw new InvalidDataException($"rope_scaling type '{c.RopeScaling.Type}' has no GGUF (llama.cpp) equivalent; export this model as an HF folder");
        }
    }

    /// <summary>llama.cpp's per-frequency divisors of a llama3-scaled model (rope_freqs.weight, [headDim/2]), or null.</summary>
    public static float[]? RopeFreqs(LlamaConfig c)
    {
        if (c.RopeScaling?.Type != "llama3")
        {
            return null;
        }
        var plain = FedSpine.Tensors.RopeTable.DefaultInverseFrequencies(c.HeadDim, c.RopeTheta);
        var scaled = RopeFrequencies.Inverse(c, c.MaxPositionEmbeddings);
        return plain.Select((f, i) => (float)(f / scaled[i])).ToArray();
    }

    /// <summary>The config with what <see cref="Metadata"/> wrote restored; qwen2 is also recognised by its bias tensors.</summary>
    public static LlamaConfig Apply(GgufFile file, LlamaConfig config, string arch)
    {
        string? modelType = file.Find(ModelTypeKey)?.AsString();
        modelType ??= file.FindTensor("blk.0.attn_q.bias") is not null ? "qwen2" : file.Find(arch + WindowKey) is not null ? "mistral" : "llama";
        config = config with { ModelType = modelType, Architectures = [ArchitectureOf(modelType)] };
        if (file.Find(arch + WindowKey)?.AsInteger() is { } window)
        {
            config = config with { SlidingWindow = (int)window };
        }
        string? linear = file.Find(arch + ScalingTypeKey)?.AsString();
        if (linear is not null and not "none")
        {
            if (linear != "linear")
            {
                throw new InvalidDataException($"{file.Path}: {arch + ScalingTypeKey} '{linear}' is not implemented (only linear)");
            }
            config = config with { RopeScaling = new RopeScaling { RopeType = "linear", Factor = file.Find(arch + ScalingFactorKey)?.AsFloat() ?? 1.0 } };
        }
        if (file.Find(Llama3Prefix + "type")?.AsString() == "llama3")
        {
            config = config with
            {
                RopeScaling = new RopeScaling
                {
                    RopeType = "llama3",
                    Factor = file.Find(Llama3Prefix + "factor")?.AsFloat() ?? 1.0,
                    LowFreqFactor = file.Find(Llama3Prefix + "low_freq_factor")?.AsFloat(),
                    HighFreqFactor = file.Find(Llama3Prefix + "high_freq_factor")?.AsFloat(),
                    OriginalMaxPositionEmbeddings = (int?)file.Find(Llama3Prefix + "original_max_position_embeddings")?.AsInteger(),
                },
            };
        }
        else if (file.FindTensor(RopeFreqsTensor) is not null)
        {
            throw new InvalidDataException($"{file.Path}: {RopeFreqsTensor} without {Llama3Prefix}* keys: per-frequency RoPE factors from another writer are not implemented");
        }
        return config;
    }

    private static string ArchitectureOf(string modelType) => modelType switch
    {
        "qwen2" => "Qwen2ForCausalLM",
        "mistral" => "MistralForCausalLM",
        _ => "LlamaForCausalLM",
    };
}
