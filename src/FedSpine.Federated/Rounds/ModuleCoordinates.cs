// Where a pruned module sits in the unpruned one: the kept output rows and input columns of each LoRA target, expanded
// from a layer's kept heads (head_dim rows/columns each), KV heads and FFN channels.
using FedSpine.Model;
using FedSpine.Model.Lora;
using FedSpine.Pruning;

namespace FedSpine.Federated.Rounds;

public static class ModuleCoordinates
{
    /// <summary>Kept rows and columns (ascending, unpruned coordinates) of target's weight [out, in] under layer mask m.</summary>
    public static (int[] Rows, int[] Columns) Kept(LoraTarget target, LayerMask m, LlamaConfig config)
    {
        int d = config.HiddenSize, hd = config.HeadDim;
        int[] all = Enumerable.Range(0, d).ToArray();
        return target switch
        {
            LoraTarget.Q => (Expand(m.Heads, hd), all),
            LoraTarget.K or LoraTarget.V => (Expand(m.KvHeads, hd), all),
            LoraTarget.O => (all, Expand(m.Heads, hd)),
            LoraTarget.Gate or LoraTarget.Up => (m.Channels.ToArray(), all),
            LoraTarget.Down => (all, m.Channels.ToArray()),
            _ => throw new ArgumentOutOfRangeException(nameof(target), target, "unknown LoRA target"),
        };
    }

    private static int[] Expand(IReadOnlyList<int> units, int block)
    {
        var result = new int[units.Count * block];
        for (int i = 0; i < units.Count; i++)
        {
            for (int j = 0; j < block; j++)
            {
                result[i * block + j] = units[i] * block + j;
            }
        }
        return result;
    }
}
