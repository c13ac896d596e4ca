// One rank-r adapter on a frozen linear W [out, in]: y = x·Wᵀ + scale·(x·Aᵀ)·Bᵀ with scale = alpha / rank.
// A: [rank, in], B: [out, rank]; B starts at zero so a fresh adapter leaves the model unchanged.
using FedSpine.Tensors;

namespace FedSpine.Model.Lora;

public sealed class LoraAdapter
{
    public LoraAdapter(Tensor a, Tensor b, float alpha)
    {
        if (a.Rank != 2 || b.Rank != 2 || a.Dim(0) != b.Dim(1))
        {
            throw new ArgumentException($"LoRA factors disagree: A {a}, B {b}");
        }
        A = a;
        B = b;
        Alpha = alpha;
    }

    public Tensor A { get; }   // [rank, in]
    public Tensor B { get; }   // [out, rank]
    public float Alpha { get; }
    public int Rank => A.Dim(0);
    public int In => A.Dim(1);
    public int Out => B.Dim(0);
    public float Scale => Alpha / Rank;

    /// <summary>W += scale·B·A, folding the adapter into the base weight [out, in].</summary>
    public void MergeInto(Tensor weight)
    {
        if (weight.Dim(0) != Out || weight.Dim(1) != In)
        {
            throw new ArgumentException($"adapter {Out}x{In} does not fit weight {weight}");
        }
        Gemm.Multiply(false, false, Out, In, Rank, Scale, B.Span, Rank, A.Span, In, 1f, weight.Span, In);
    }
}
