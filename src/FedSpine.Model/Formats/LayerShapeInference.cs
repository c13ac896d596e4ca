// Infers each decoder layer's shape (query heads, KV heads, FFN channels) from the stored tensor shapes, so pruned
// models whose layers differ load as they are; each layer must fit within the config and keep whole GQA groups.
namespace FedSpine.Model.Formats;

internal static class LayerShapeInference
{
    public static LayerShape[] Infer(LlamaConfig config, HfTensorSource source)
    {
        int hd = config.HeadDim;
        var shapes = new LayerShape[config.NumHiddenLayers];
        for (int i = 0; i < shapes.Length; i++)
        {
            string q = $"model.layers.{i}.self_attn.q_proj.weight";
            string k = $"model.layers.{i}.self_attn.k_proj.weight";
            string gate = $"model.layers.{i}.mlp.gate_proj.weight";
            int heads = Rows(source, q, hd, "head_dim", config) / hd;
            int kvHeads = Rows(source, k, hd, "head_dim", config) / hd;
            int ffn = Rows(source, gate, 1, "1", config);
            Check(source, q, heads >= 1 && heads <= config.NumAttentionHeads,
                $"{heads} query heads, config.json allows 1 to num_attention_heads = {config.NumAttentionHeads}");
            Check(source, k, kvHeads >= 1 && kvHeads <= config.NumKeyValueHeads && heads % kvHeads == 0,
                $"{kvHeads} key/value heads, which must be 1 to num_key_value_heads = {config.NumKeyValueHeads} and divide the layer's {heads} query heads");
            Check(source, gate, ffn >= 1 && ffn <= config.IntermediateSize,
                $"{ffn} FFN channels, config.json allows 1 to intermediate_size = {config.IntermediateSize}");
            shapes[i] = new LayerShape(heads, kvHeads, ffn);
        }
        return shapes;
    }

    private static int Rows(HfTensorSource source, string name, int multipleOf, string multipleName, LlamaConfig config)
    {
        var entry = source.Find(name) ?? throw new InvalidDataException($"{source.FileOf(name)}: missing tensor '{name}'");
        Check(source, name, entry.Shape.Length == 2 && entry.Shape[0] % multipleOf == 0 && entry.Shape[1] == config.HiddenSize,
            $"shape {Tensors.Tensor.ShapeText(entry.Shape)}, expected [n*{multipleName} ({multipleOf}), hidden_size ({config.HiddenSize})]");
        return entry.Shape[0];
    }

    private static void Check(HfTensorSource source, string name, bool ok, string problem)
    {
        if (!ok)
        {
            throw new InvalidDataException($"{source.FileOf(name)}: tensor '{name}' disagrees with config.json: {problem}");
        }
    }
}
