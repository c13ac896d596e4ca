// One module's LoRA factors as they travel between server and device, in the device's pruned coordinates: the device
// applies ΔW = (Alpha/Rank)·B·A on its kept rows and columns. Plain arrays, so messages serialise as they are.
using FedSpine.Model.Lora;

namespace FedSpine.Federated.Rounds;

/// <param name="A">[Rank, in] row-major (in = the module's kept input width).</param>
/// <param name="B">[out, Rank] row-major (out = the module's kept output height).</param>
public sealed record ModuleFactors(int Layer, LoraTarget Target, int Rank, float[] A, float[] B)
{
    public int In => A.Length / Rank;
    public int Out => B.Length / Rank;
}
