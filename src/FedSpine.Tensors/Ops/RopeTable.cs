// Precomputed rotary cos/sin tables, [maxPositions, headDim/2]: angle(pos, i) = pos · theta^(-2i/headDim).
// Angles are computed in double and only cos/sin are rounded to float.
namespace FedSpine.Tensors;

public sealed class RopeTable
{
    private readonly float[] _cos; // [maxPositions, headDim/2]
    private readonly float[] _sin; // [maxPositions, headDim/2]

    public RopeTable(int headDim, int maxPositions, float theta)
    {
        if (headDim < 2 || headDim % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(headDim), $"headDim = {headDim} must be even and positive");
        }
        OpsArgs.AtLeast(maxPositions, 1, nameof(maxPositions));
        if (!(theta > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(theta), $"theta = {theta} must be positive");
        }
        HeadDim = headDim;
        MaxPositions = maxPositions;
        int half = headDim / 2;
        var invFreq = new double[half];
        for (int i = 0; i < half; i++)
        {
            invFreq[i] = Math.Pow(theta, -2.0 * i / headDim);
        }
        _cos = new float[(long)maxPositions * half];
        _sin = new float[(long)maxPositions * half];
        for (int pos = 0; pos < maxPositions; pos++)
        {
            for (int i = 0; i < half; i++)
            {
                double angle = pos * invFreq[i];
                _cos[pos * half + i] = (float)Math.Cos(angle);
                _sin[pos * half + i] = (float)Math.Sin(angle);
            }
        }
    }

    public int HeadDim { get; }
    public int MaxPositions { get; }

    /// <summary>cos of each rotation angle at a position: [headDim/2].</summary>
    public ReadOnlySpan<float> Cos(int position) => _cos.AsSpan(RowStart(position), HeadDim / 2);

    /// <summary>sin of each rotation angle at a position: [headDim/2].</summary>
    public ReadOnlySpan<float> Sin(int position) => _sin.AsSpan(RowStart(position), HeadDim / 2);

    private int RowStart(int position)
    {
        if ((uint)position >= (uint)MaxPositions)
        {
            throw new ArgumentOutOfRangeException(nameof(position), $"position {position} outside the table of {MaxPositions}");
        }
        return position * (HeadDim / 2);
    }
}
