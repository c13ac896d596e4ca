// The seven linear modules of a LLaMA layer that can carry a LoRA adapter, with their HF names and shapes.
// Shapes come from the layer's own (possibly pruned) LayerShape.
namespace FedSpine.Model.Lora;

public enum LoraTarget
{
    Q,
    K,
    V,
    O,
    Gate,
    Up,
    Down,
}

public static class LoraTargets
{
    public static readonly LoraTarget[] All = Enum.GetValues<LoraTarget>();

    /// <summary>HF module path inside a layer, e.g. "self_attn.q_proj".</summary>
    public static string ModulePath(this LoraTarget target) => target switch
    {
        LoraTarget.Q => "self_attn.q_proj",
        LoraTarget.K => "self_attn.k_proj",
        LoraTarget.V => "self_attn.v_proj",
        LoraTarget.O => "self_attn.o_proj",
        LoraTarget.Gate => "mlp.gate_proj",
        LoraTarget.Up => "mlp.up_proj",
        LoraTarget.Down => "mlp.down_proj",
        _ => throw new ArgumentOutOfRangeException(nameof(target)),
    };

    /// <summary>Short PEFT target name, e.g. "q_proj".</summary>
    public static string ShortName(this LoraTarget target) => target.ModulePath().Split('.')[1];

    public static LoraTarget Parse(string name)
    {
        foreach (var t in All)
        {
            if (string.Equals(name, t.ShortName(), StringComparison.OrdinalIgnoreCase) ||
                string.Equals(name, t.ToString(), StringComparison.OrdinalIgnoreCase) ||
                string.Equals(name + "_proj", t.ShortName(), StringComparison.OrdinalIgnoreCase))
            {
                return t;
            }
        }
        throw new ArgumentException($"unknown LoRA target '{name}' (expected one of q, k, v, o, gate, up, down)");
    }

    /// <summary>(out, in) of the module's weight [out, in].</summary>
    public static (int Out, int In) Dims(this LoraTarget target, LayerShape shape, int hidden, int headDim) => target switch
    {
        LoraTarget.Q => (shape.Heads * headDim, hidden),
        LoraTarget.K or LoraTarget.V => (shape.KvHeads * headDim, hidden),
        LoraTarget.O => (hidden, shape.Heads * headDim),
        LoraTarget.Gate or LoraTarget.Up => (shape.FfnChannels, hidden),
        LoraTarget.Down => (hidden, shape.FfnChannels),
        _ => throw new ArgumentOutOfRangeException(nameof(target)),
    };

    public static Tensors.Tensor WeightOf(this LoraTarget target, LayerWeights layer) => target switch
    {
        LoraTarget.Q => layer.Wq,
        LoraTarget.K => layer.Wk,
        LoraTarget.V => layer.Wv,
        LoraTarget.O => layer.Wo,
        LoraTarget.Gate => layer.Gate,
        LoraTarget.Up => layer.Up,
        LoraTarget.Down => layer.Down,
        _ => throw new ArgumentOutOfRangeException(nameof(target)),
    };
}
