// Loads a llama- or deci-architecture GGUF (F32/F16; deci is how we write per-layer shapes) as an HF-style config and
// weights: per-layer head/FFN counts from scalars or arrays, every tensor checked against them, and q/k rows permuted from
// interleaved RoPE back to rotate-half.
namespace FedSpine.Model.Formats;

public static class GgufModel
{
    public static (LlamaConfig Config, LlamaWeights Weights) Load(string path)
    {
        using var file = GgufFile.Read(path);
        string architecture = Require(file, "general.architecture").AsString() ?? throw Bad(path, "general.architecture is not a string");
        if (architecture is not (GgufWriter.Architecture or GgufWriter.PerLayerArchitecture))
        {
            throw Bad(path, $"general.architecture is '{architecture}'; only '{GgufWriter.Architecture}' and '{GgufWriter.PerLayerArchitecture}' models can be loaded");
        }
        var (config, shapes) = Describe(file, architecture);
        var planned = LlamaWeights.Plan(config, shapes).Planned;
        var plannedNames = planned.Select(p => GgufTensorNames.FromHf(p.Name)).ToHashSet(StringComparer.Ordinal);
        if (config.RopeScaling?.Type == "llama3")
        {
            plannedNames.Add(GgufFamilyMetadata.RopeFreqsTensor); // recomputed from the config
        }
        foreach (var unknown in file.Tensors.Where(t => !plannedNames.Contains(t.Name)))
        {
            throw Bad(path, $"unknown tensor '{unknown.Name}' for a llama model with these hyperparameters");
        }
        foreach (var (hfName, shape) in planned)
        {
            string name = GgufTensorNames.FromHf(hfName);
            var info = file.FindTensor(name) ?? throw Bad(path, $"missing tensor '{name}'");
            if (!info.Shape.AsSpan().SequenceEqual(shape))
            {
                throw Bad(path, $"tensor '{name}' has dims {info.DimsText}, the metadata needs [{string.Join(", ", GgufTensorInfo.DimsOf(shape))}] (innermost first)");
            }
        }
        var weights = LlamaWeights.Allocate(config, shapes);
        foreach (var (hfName, tensor) in weights.NamedTensors)
        {
            file.ReadInto(file.FindTensor(GgufTensorNames.FromHf(hfName))!, tensor.Span);
        }
        foreach (var layer in weights.Layers)
        {
            RotaryLayout.InterleavedToHalf(layer.Wq, layer.Shape.Heads);
            RotaryLayout.InterleavedToHalf(layer.Wk, layer.Shape.KvHeads);
            if (layer.Bq is not null)
            {
                RotaryLayout.InterleavedToHalf(layer.Bq.Reshape(layer.Bq.Length, 1), layer.Shape.Heads);
                RotaryLayout.InterleavedToHalf(layer.Bk!.Reshape(layer.Bk.Length, 1), layer.Shape.KvHeads);
            }
        }
        return (config, weights);
    }

    /// <summary>The config (largest per-layer counts, as a pruned HF config.json) and every layer's own shape.</summary>
    private static (LlamaConfig Config, LayerShape[] Shapes) Describe(GgufFile file, string arch)
    {
        string path = file.Path;
        int layers = Int(file, $"{arch}.block_count");
        int hidden = Int(file, $"{arch}.embedding_length");
        if (layers <= 0 || layers > 100_000)
        {
            throw Bad(path, $"{arch}.block_count {layers} is not a sensible layer count");
        }
        int[] heads = PerLayer(file, $"{arch}.attention.head_count", layers, fallback: null);
        int[] kvHeads = PerLayer(file, $"{arch}.attention.head_count_kv", layers, fallback: heads);
        int[] ffn = PerLayer(file, $"{arch}.feed_forward_length", layers, fallback: null);
        int headDim = file.Find($"{arch}.attention.key_length") is null ? (heads[0] > 0 ? hidden / heads[0] : 0) : Int(file, $"{arch}.attention.key_length");
        if (file.Find($"{arch}.attention.value_length") is not null && Int(file, $"{arch}.attention.value_length") != headDim)
        {
            throw Bad(path, $"{arch}.attention.value_length {Int(file, $"{arch}.attention.value_length")} differs from key_length {headDim} (not supported)");
        }
        if (file.Find($"{arch}.rope.dimension_count") is not null && Int(file, $"{arch}.rope.dimension_count") != headDim)
        {
            throw Bad(path, $"{arch}.rope.dimension_count {Int(file, $"{arch}.rope.dimension_count")} differs from the head size {headDim} (partial RoPE is not supported)");
        }
        for (int i = 0; i < layers; i++)
        {
            if (heads[i] <= 0 || kvHeads[i] <= 0 || heads[i] % kvHeads[i] != 0 || ffn[i] <= 0)
            {
                throw Bad(path, $"layer {i} has {heads[i]} heads, {kvHeads[i]} KV heads and {ffn[i]} FFN channels: counts must be positive and KV heads must divide heads");
            }
        }
        var embedding = file.FindTensor("token_embd.weight") ?? throw Bad(path, "missing tensor 'token_embd.weight'");
        int vocab = file.Find($"{arch}.vocab_size") is null ? (int)embedding.Dims[^1] : Int(file, $"{arch}.vocab_size");
        var config = new LlamaConfig
        {
            HiddenSize = hidden,
            IntermediateSize = ffn.Max(),
            NumHiddenLayers = layers,
            NumAttentionHeads = heads.Max(),
            NumKeyValueHeads = kvHeads.Max(),
            HeadDim = headDim,
            VocabSize = vocab,
            MaxPositionEmbeddings = Int(file, $"{arch}.context_length"),
            RmsNormEps = (float)Float(file, $"{arch}.attention.layer_norm_rms_epsilon", null),
            RopeTheta = (float)Float(file, $"{arch}.rope.freq_base", 10000.0),
            TieWordEmbeddings = file.FindTensor("output.weight") is null,
            BosTokenId = file.Find("tokenizer.ggml.bos_token_id") is null ? 1 : Int(file, "tokenizer.ggml.bos_token_id"),
            EosTokenId = file.Find("tokenizer.ggml.eos_token_id") is null ? 2 : Int(file, "tokenizer.ggml.eos_token_id"),
            TorchDtype = file.Tensors.Any(t => t.Type == GgmlType.F16) ? "float16" : "float32",
        };
        config = GgufFamilyMetadata.Apply(file, config, arch);
        config.Validate(path);
        var shapes = Enumerable.Range(0, layers).Select(i => new LayerShape(heads[i], kvHeads[i], ffn[i])).ToArray();
        return (config, shapes);
    }

    /// <summary>A per-layer count stored as one integer (every layer) or an integer array of one entry per layer.</summary>
    private static int[] PerLayer(GgufFile file, string key, int layers, int[]? fallback)
    {
        var value = file.Find(key);
        if (value is null)
        {
            return fallback ?? throw Bad(file.Path, $"missing metadata '{key}'");
        }
        if (value.Type != GgufValueType.Array)
        {
            int v = Int(file, key);
            return Enumerable.Repeat(v, layers).ToArray();
        }
        long[] values = value.AsIntegerArray() ?? throw Bad(file.Path, $"metadata '{key}' is {value}, expected an integer or an integer array");
        if (values.Length != layers)
        {
            throw Bad(file.Path, $"metadata '{key}' has {values.Length} entries for {key[..key.IndexOf('.', StringComparison.Ordinal)]}.block_count {layers} layers");
        }
        return values.Select(v => v is > 0 and <= int.MaxValue ? (int)v : throw Bad(file.Path, $"metadata '{key}' holds {v}, expected a positive count")).ToArray();
    }

    private static GgufValue Require(GgufFile file, string key) => file.Find(key) ?? throw Bad(file.Path, $"missing metadata '{key}'");

    private static int Int(GgufFile file, string key)
    {
        var value = Require(file, key);
        long? v = value.AsInteger();
        return v is >= 0 and <= int.MaxValue ? (int)v.Value : throw Bad(file.Path, $"metadata '{key}' is {value}, expected a non-negative integer");
    }

    private static double Float(GgufFile file, string key, double? fallback)
    {
        var value = file.Find(key);
        if (value is null)
        {
            return fallback ?? throw Bad(file.Path, $"missing metadata '{key}'");
        }
        return value.AsFloat() ?? throw Bad(file.Path, $"metadata '{key}' is {value}, expected a float");
    }

    private static InvalidDataException Bad(string path, string problem) => new($"{path}: invalid llama GGUF: {problem}");
}
