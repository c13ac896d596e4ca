// Writes a LLaMA model (dense or pruned) as a llama.cpp GGUF: architecture metadata, optional tokenizer, F32/F16 weights.
// Layers of one shape: the "llama" architecture. Layers that differ (pruned with --exclude-layers): llama.cpp's "deci" one,
// whose loader reads head/KV-head/FFN counts per layer (its "llama" loader takes layer 0's for all and refuses the file).
using FedSpine.Model.Tokenizers;
using FedSpine.Tensors;

namespace FedSpine.Model.Formats;

public static class GgufWriter
{
    public const string Architecture = "llama";

    /// <summary>llama.cpp's DeciLM/Nemotron-NAS architecture: the llama graph with per-layer head, KV-head and FFN counts.</summary>
    public const string PerLayerArchitecture = "deci";

    /// <summary>"llama" when every layer has the same heads, KV heads and FFN channels, else "deci".</summary>
    public static string ArchitectureOf(LlamaWeights weights) =>
        weights.LayerShapes.Distinct().Count() == 1 ? Architecture : PerLayerArchitecture;

    // general.file_type (llama_ftype): every tensor F32, or 2-D weights F16.
    private const uint FileTypeAllF32 = 0;
    private const uint FileTypeMostlyF16 = 1;

    /// <summary>Writes <paramref name="weights"/> to <paramref name="path"/>; norm weights stay F32, 2-D weights are <paramref name="type"/>.
    /// With a tokenizer its vocabulary is embedded (tokenizer.ggml.*); <paramref name="name"/> defaults to the file's name.</summary>
    public static void Save(string path, LlamaWeights weights, ITokenizer? tokenizer = null, GgmlType type = GgmlType.F32, string? name = null)
    {
        string arch = ArchitectureOf(weights);
        var metadata = Metadata(weights, arch, type, name ?? Path.GetFileNameWithoutExtension(path));
        metadata.AddRange(GgufFamilyMetadata.Metadata(weights.Config, arch));
        if (tokenizer is not null)
        {
            metadata.AddRange(TokenizerMetadata(GgufVocabulary.From(tokenizer, weights.Config.VocabSize)));
        }
        var tensors = new List<GgufTensorToWrite>();
        foreach (var (hfName, tensor) in weights.NamedTensors)
        {
            string ggufName = GgufTensorNames.FromHf(hfName);
            var tensorType = GgufTensorNames.IsNorm(ggufName) || tensor.Rank == 1 ? GgmlType.F32 : type;
            tensors.Add(new GgufTensorToWrite(ggufName, tensor.Shape.ToArray(), tensorType, () => Interleaved(weights, tensor)));
        }
        if (GgufFamilyMetadata.RopeFreqs(weights.Config) is { } ropeFreqs)
        {
            tensors.Add(new GgufTensorToWrite(GgufFamilyMetadata.RopeFreqsTensor, [ropeFreqs.Length], GgmlType.F32,
                () => new Tensor(ropeFreqs, 0, ropeFreqs.Length)));
        }
        GgufFile.Write(path, metadata, tensors);
    }

    private static List<KeyValuePair<string, GgufValue>> Metadata(LlamaWeights weights, string arch, GgmlType type, string name)
    {
        var c = weights.Config;
        var shapes = weights.LayerShapes;
        return
        [
            new("general.architecture", GgufValue.String(arch)),
            new("general.name", GgufValue.String(name)),
            new(GgufFile.AlignmentKey, GgufValue.UInt32(GgufFile.DefaultAlignment)),
            new("general.file_type", GgufValue.UInt32(type == GgmlType.F32 ? FileTypeAllF32 : FileTypeMostlyF16)),
            new($"{arch}.vocab_size", GgufValue.UInt32((uint)c.VocabSize)),
            new($"{arch}.context_length", GgufValue.UInt32((uint)c.MaxPositionEmbeddings)),
            new($"{arch}.embedding_length", GgufValue.UInt32((uint)c.HiddenSize)),
            new($"{arch}.block_count", GgufValue.UInt32((uint)c.NumHiddenLayers)),
            new($"{arch}.feed_forward_length", ScalarOrArray(shapes.Select(s => s.FfnChannels))),
            new($"{arch}.attention.head_count", ScalarOrArray(shapes.Select(s => s.Heads))),
            new($"{arch}.attention.head_count_kv", ScalarOrArray(shapes.Select(s => s.KvHeads))),
            new($"{arch}.attention.key_length", GgufValue.UInt32((uint)c.HeadDim)),
            new($"{arch}.attention.value_length", GgufValue.UInt32((uint)c.HeadDim)),
            new($"{arch}.attention.layer_norm_rms_epsilon", GgufValue.Float32(c.RmsNormEps)),
            new($"{arch}.rope.dimension_count", GgufValue.UInt32((uint)c.HeadDim)),
            new($"{arch}.rope.freq_base", GgufValue.Float32(c.RopeTheta)),
        ];
    }

    /// <summary>tokenizer.ggml.*; BOS is always added (our generate and training put it first), EOS never.</summary>
    private static IEnumerable<KeyValuePair<string, GgufValue>> TokenizerMetadata(GgufVocabulary vocabulary)
    {
        yield return new("tokenizer.ggml.model", GgufValue.String(vocabulary.Model));
        if (vocabulary.PreTokenizer is { } pre)
        {
            yield return new("tokenizer.ggml.pre", GgufValue.String(pre));
        }
        yield return new("tokenizer.ggml.tokens", GgufValue.StringArray(vocabulary.Tokens));
        if (vocabulary.Scores is { } scores)
        {
            yield return new("tokenizer.ggml.scores", GgufValue.Float32Array(scores));
        }
        yield return new("tokenizer.ggml.token_type", GgufValue.Int32Array(vocabulary.Types));
        if (vocabulary.Merges is { } merges)
        {
            yield return new("tokenizer.ggml.merges", GgufValue.StringArray(merges));
        }
        yield return new("tokenizer.ggml.bos_token_id", GgufValue.UInt32((uint)vocabulary.BosId));
        yield return new("tokenizer.ggml.eos_token_id", GgufValue.UInt32((uint)vocabulary.EosId));
        if (vocabulary.UnknownId is { } unknown)
        {
            yield return new("tokenizer.ggml.unknown_token_id", GgufValue.UInt32((uint)unknown));
        }
        yield return new("tokenizer.ggml.add_bos_token", GgufValue.Bool(true));
        yield return new("tokenizer.ggml.add_eos_token", GgufValue.Bool(false));
    }

    /// <summary>One uint32 when every layer agrees, else a uint32 per layer (llama.cpp reads either; only its deci loader uses them).</summary>
    private static GgufValue ScalarOrArray(IEnumerable<int> perLayer)
    {
        uint[] values = perLayer.Select(v => (uint)v).ToArray();
        return values.Distinct().Count() == 1 ? GgufValue.UInt32(values[0]) : GgufValue.UInt32Array(values);
    }

    /// <summary>q/k weights as interleaved-RoPE copies (the model's own stay untouched); every other tensor as is.</summary>
    private static Tensor Interleaved(LlamaWeights weights, Tensor tensor)
    {
        foreach (var layer in weights.Layers)
        {
            bool query = ReferenceEquals(tensor, layer.Wq) || ReferenceEquals(tensor, layer.Bq);
            if (query || ReferenceEquals(tensor, layer.Wk) || ReferenceEquals(tensor, layer.Bk))
            {
                var copy = tensor.Clone();
                var rows = copy.Rank == 1 ? copy.Reshape(copy.Length, 1) : copy; // a bias permutes like a one-column weight
                RotaryLayout.HalfToInterleaved(rows, query ? layer.Shape.Heads : layer.Shape.KvHeads);
                return copy;
            }
        }
        return tensor;
    }
}
