// The server's LoRA for one module in full (unpruned) coordinates at the global rank, with the scale folded into B:
// ΔW = B·A exactly (no α/r factor), so devices of any rank and scale convert to and from it explicitly.
namespace FedSpine.Federated.Aggregation;

public sealed class GlobalModule
{
    public GlobalModule(int outDim, int inDim, int rank)
    {
        if (outDim < 1 || inDim < 1 || rank < 1)
        {
            throw new ArgumentException($"a global LoRA module needs positive dimensions (got {outDim}x{inDim}, rank {rank})");
        }
        Out = outDim;
        In = inDim;
        Rank = rank;
        A = new float[rank * inDim];
        B = new float[outDim * rank];
    }

    public int Out { get; }
    public int In { get; }
    public int Rank { get; }

    public float[] A { get; }   // [Rank, In]
    public float[] B { get; }   // [Out, Rank], scale folded in

    public GlobalModule Clone()
    {
        var copy = new GlobalModule(Out, In, Rank);
        A.CopyTo(copy.A, 0);
        B.CopyTo(copy.B, 0);
        return copy;
    }
}
