// Precomputed rotary cos/sin tables, [maxPositions, headDim/2]: angle(pos, i) = pos · invFreq(pos)[i], by default
// invFreq[i] = theta^(-2i/headDim); scaled RoPE passes its own frequencies. Angles in double, cos/sin rounded to float.
namespace FedSpine.Tensors;

public sealed class RopeTable
{
    private readonly float[] _cos; // [maxPositions, headDim/2]
    private readonly float[] _sin; // [maxPositions, headDim/2]

    public RopeTable(int headDim, int maxPositions, float theta)
        : this(headDim, maxPositions, Constant(DefaultInverseFrequencies(headDim, theta)))
    {
    }

    /// <summary>A table whose position pos rotates by pos · inverseFrequencies(pos)[i]; the function returns [headDim/2]
    /// values and may return the same array for every position.</summary>
    public RopeTable(int headDim, int maxPositions, Func<int, double[]> inverseFrequencies)
    {
        CheckHeadDim(headDim);
        OpsArgs.AtLeast(maxPositions, 1, nameof(maxPositions));
        ArgumentNullException.ThrowIfNull(inverseFrequencies);
        HeadDim = headDim;
        MaxPositions = maxPositions;
        int half = headDim / 2;
        _cos = new float[(long)maxPositions * half];
        _sin = new float[(long)maxPositions * half];
        for (int pos = 0; pos < maxPositions; pos++)
        {
            var invFreq = inverseFrequencies(pos);
            if (invFreq.Length != half)
            {
                throw new ArgumentException($"{invFreq.Length} inverse frequencies for headDim {headDim} (need {half})", nameof(inverseFrequencies));
            }
            for (int i = 0; i < half; i++)
            {
                double angle = pos * invFreq[i];
                _cos[pos * half + i] = (float)Math.Cos(angle);
                _sin[pos * half + i] = (float)Math.Sin(angle);
            }
        }
    }

    /// <summary>theta^(-2i/headDim) for i in [0, headDim/2), in double.</summary>
    public static double[] DefaultInverseFrequencies(int headDim, double theta)
    {
        CheckHeadDim(headDim);
        if (!(theta > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(theta), $"theta = {theta} must be positive");
        }
        var invFreq = new double[headDim / 2];
        for (int i = 0; i < invFreq.Length; i++)
        {
            invFreq[i] = Math.Pow(theta, -2.0 * i / headDim);
        }
        return invFreq;
    }

    private static Func<int, double[]> Constant(double[] invFreq) => _ => invFreq;

    private static void CheckHeadDim(int headDim)
    {
        if (headDim < 2 || headDim % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(headDim), $"headDim = {headDim} must be even and positive");
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
