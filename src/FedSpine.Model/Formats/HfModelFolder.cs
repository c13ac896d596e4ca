// A Hugging Face LLaMA folder: config.json plus model.safetensors, or shards listed by model.safetensors.index.json.
// Loading infers per-layer shapes (pruned models) and checks every tensor against the config; saving shards by size.
// A tied config whose file also stores lm_head.weight loads when that tensor equals the embedding (HF ties and ignores
// it); a different one is refused, since HF would silently use the embedding instead.
using FedSpine.Tensors;

namespace FedSpine.Model.Formats;

public static class HfModelFolder
{
    public const string ConfigFileName = "config.json";
    public const long DefaultMaxShardBytes = 2L << 30;

    /// <summary>Reads config and weights; with <paramref name="checkFinite"/>, a NaN or infinity is an error naming its tensor.
    /// With <paramref name="bf16"/> the large tensors are read one at a time into bf16 (LlamaWeights.FrozenBf16).</summary>
    public static (LlamaConfig Config, LlamaWeights Weights) Load(string folder, bool checkFinite = false, bool bf16 = false)
    {
        var config = HfConfigJson.Read(Path.Combine(folder, ConfigFileName));
        using var source = HfTensorSource.Open(folder);
        var shapes = LayerShapeInference.Infer(config, source);
        var planned = LlamaWeights.Plan(config, shapes).Planned;
        var plannedNames = planned.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        bool storedTiedHead = false;
        foreach (string name in source.Names.Where(n => !plannedNames.Contains(n) && !IsRotaryBuffer(n)).Order(StringComparer.Ordinal))
        {
            if (name == "lm_head.weight" && config.TieWordEmbeddings)
            {
                storedTiedHead = true;
                continue;
            }
            string why = name.EndsWith(".bias", StringComparison.Ordinal)
                ? $" (model_type '{config.ModelType}' has no biases here; only qwen2's q/k/v biases are implemented)" : "";
            throw new InvalidDataException($"{source.FileOf(name)}: unknown tensor '{name}' for this config{why}");
        }
        foreach (var (name, shape) in planned)
        {
            var entry = source.Find(name) ?? throw new InvalidDataException($"{source.FileOf(name)}: missing tensor '{name}'");
            if (!entry.Shape.AsSpan().SequenceEqual(shape))
            {
                throw new InvalidDataException($"{source.FileOf(name)}: tensor '{name}' has shape {Tensor.ShapeText(entry.Shape)}, " +
                                               $"config.json and the layer's shape need {Tensor.ShapeText(shape)}");
            }
        }
        void Read(string name, Span<float> destination)
        {
            source.ReadInto(name, destination);
            if (checkFinite)
            {
                CheckFinite(source.FileOf(name), name, destination);
            }
        }
        LlamaWeights weights;
        if (bf16)
        {
            weights = LlamaWeights.FrozenBf16(config, shapes, (name, _, destination) => Read(name, destination));
        }
        else
        {
            weights = LlamaWeights.Allocate(config, shapes);
            foreach (var (name, tensor) in weights.NamedTensors)
            {
                Read(name, tensor.Span);
            }
        }
        if (storedTiedHead)
        {
            int[] shape = [config.VocabSize, config.HiddenSize];
            float[]? embedding = bf16 ? new float[config.VocabSize * config.HiddenSize] : null;
            if (embedding is not null)
            {
                source.ReadInto("model.embed_tokens.weight", embedding);
            }
            CheckTiedHead(source, shape, embedding ?? weights.TokenEmbedding.Span);
        }
        return (config, weights);
    }

    /// <summary>Writes config.json and the weights as <paramref name="dtype"/>, one file or shards of at most
    /// <paramref name="maxShardBytes"/> (a larger single tensor gets a shard of its own).</summary>
    public static void Save(string folder, LlamaWeights weights, SafeTensorsDtype dtype = SafeTensorsDtype.F32, long maxShardBytes = DefaultMaxShardBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        Directory.CreateDirectory(folder);
        var tensors = weights.NamedTensors.ToList();
        var shards = Shard(tensors, dtype, maxShardBytes);
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };
        string single = Path.Combine(folder, HfTensorSource.SingleFileName);
        string index = Path.Combine(folder, SafeTensorsIndex.FileName);
        if (shards.Count == 1)
        {
            SafeTensorsFile.Write(single, tensors, dtype, metadata);
            File.Delete(index); // a stale index would describe other weights
        }
        else
        {
            var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < shards.Count; i++)
            {
                string shardName = $"model-{i + 1:D5}-of-{shards.Count:D5}.safetensors";
                SafeTensorsFile.Write(Path.Combine(folder, shardName), shards[i], dtype, metadata);
                shards[i].ForEach(t => weightMap.Add(t.Key, shardName));
            }
            SafeTensorsIndex.Write(index, tensors.Sum(t => (long)t.Value.Length * dtype.ElementSize()), weightMap);
            File.Delete(single); // loaders prefer model.safetensors, which would now be stale
        }
        HfConfigJson.Write(Path.Combine(folder, ConfigFileName), weights.Config with { TorchDtype = dtype.TorchName() });
    }

    private static List<List<KeyValuePair<string, Tensor>>> Shard(List<KeyValuePair<string, Tensor>> tensors, SafeTensorsDtype dtype, long maxShardBytes)
    {
        var shards = new List<List<KeyValuePair<string, Tensor>>> { new() };
        long used = 0;
        foreach (var tensor in tensors)
        {
            long bytes = (long)tensor.Value.Length * dtype.ElementSize();
            if (used + bytes > maxShardBytes && shards[^1].Count > 0)
            {
                shards.Add([]);
                used = 0;
            }
            shards[^1].Add(tensor);
            used += bytes;
        }
        return shards;
    }

    private static void CheckTiedHead(HfTensorSource source, int[] embeddingShape, ReadOnlySpan<float> embedding)
    {
        const string Name = "lm_head.weight";
        var entry = source.Find(Name)!;
        if (!entry.Shape.AsSpan().SequenceEqual(embeddingShape))
        {
            throw new InvalidDataException($"{source.FileOf(Name)}: tensor '{Name}' has shape {Tensor.ShapeText(entry.Shape)} but config.json has " +
                                           $"tie_word_embeddings: true and the embedding is {Tensor.ShapeText(embeddingShape)}");
        }
        var head = new float[embedding.Length];
        source.ReadInto(Name, head);
        if (!head.AsSpan().SequenceEqual(embedding))
        {
            throw new InvalidDataException($"{source.FileOf(Name)}: config.json has tie_word_embeddings: true but the stored '{Name}' differs from " +
                                           "model.embed_tokens.weight (HF would ignore it and use the embedding); set tie_word_embeddings: false to use it, or remove it");
        }
    }

    /// <summary>Older HF checkpoints store the RoPE inverse frequencies as a buffer; they are recomputed, so ignored.</summary>
    private static bool IsRotaryBuffer(string name) => name.EndsWith(".self_attn.rotary_emb.inv_freq", StringComparison.Ordinal);

    private static void CheckFinite(string file, string name, ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new InvalidDataException($"{file}: tensor '{name}' holds {values[i]} at flat index {i}");
            }
        }
    }
}
