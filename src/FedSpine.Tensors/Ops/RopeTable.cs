// Precomputed rotary cos/sin tables, [maxPositions, headDim/2]: angle(pos, i) = pos · theta^(-2i/headDim).
// CONTRACT STUB.
namespace FedSpine.Tensors;

public sealed class RopeTable
{
    public RopeTable(int headDim, int maxPositions, float theta) => throw new NotImplementedException();

    public int HeadDim { get; }
    public int MaxPositions { get; }

    /// <summary>cos of each rotation angle at a position: [headDim/2].</summary>
    public ReadOnlySpan<float> Cos(int position) => throw new NotImplementedException();

    /// <summary>sin of each rotation angle at a position: [headDim/2].</summary>
    public ReadOnlySpan<float> Sin(int position) => throw new NotImplementedException();
}
