// A contiguous float32 tensor: a view (offset, shape) into a float[] that may be shared with other views.
// Row-major; the last dimension is contiguous. Views carved from one block keep memory accounting simple.
namespace FedSpine.Tensors;

public sealed class Tensor
{
    private readonly int[] _shape;

    /// <summary>Allocates a zeroed tensor of the given shape in its own buffer.</summary>
    public Tensor(params int[] shape)
        : this(new float[CheckedCount(shape)], 0, shape)
    {
    }

    /// <summary>A view of <paramref name="buffer"/> starting at <paramref name="offset"/>.</summary>
    public Tensor(float[] buffer, int offset, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        long count = CheckedCount(shape);
        if (offset < 0 || offset + count > buffer.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"view [{offset}, {offset + count}) exceeds buffer of {buffer.Length}");
        }
        Buffer = buffer;
        Offset = offset;
        _shape = (int[])shape.Clone();
        Length = (int)count;
    }

    public float[] Buffer { get; }
    public int Offset { get; }
    public int Length { get; }
    public int Rank => _shape.Length;
    public ReadOnlySpan<int> Shape => _shape;
    public int Dim(int axis) => _shape[axis < 0 ? _shape.Length + axis : axis];
    public Span<float> Span => Buffer.AsSpan(Offset, Length);
    public Memory<float> Memory => Buffer.AsMemory(Offset, Length);

    /// <summary>Same data, another shape with the same element count.</summary>
    public Tensor Reshape(params int[] shape)
    {
        if (CheckedCount(shape) != Length)
        {
            throw new ArgumentException($"cannot reshape {ShapeText(_shape)} to {ShapeText(shape)}");
        }
        return new Tensor(Buffer, Offset, shape);
    }

    /// <summary>Rows [start, start+count) along the first axis, as a view.</summary>
    public Tensor SliceRows(int start, int count)
    {
        int rowLength = Length / Math.Max(1, _shape[0]);
        if (start < 0 || count < 0 || start + count > _shape[0])
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"rows [{start}, {start + count}) outside {_shape[0]}");
        }
        var shape = (int[])_shape.Clone();
        shape[0] = count;
        return new Tensor(Buffer, Offset + start * rowLength, shape);
    }

    public Tensor Clone()
    {
        var copy = new Tensor(_shape);
        Span.CopyTo(copy.Span);
        return copy;
    }

    public void Clear() => Span.Clear();

    public bool SameShape(ReadOnlySpan<int> shape) => shape.SequenceEqual(_shape);

    public override string ToString() => $"Tensor{ShapeText(_shape)}";

    public static string ShapeText(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    private static int CheckedCount(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"negative dimension in {ShapeText(shape)}");
            }
            count *= d;
        }
        if (count > Array.MaxLength)
        {
            throw new ArgumentException($"tensor {ShapeText(shape)} exceeds {Array.MaxLength} elements");
        }
        return (int)count;
    }
}
