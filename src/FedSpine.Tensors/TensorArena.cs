// Plans named tensors, then allocates them as views carved from a few large blocks.
// The plan's byte count is known before allocation, so peak memory of a configuration is computable up front.
namespace FedSpine.Tensors;

public sealed class TensorArena
{
    /// <summary>Largest single block, in floats (256 Mi floats = 1 GiB).</summary>
    public const int MaxBlockFloats = 1 << 28;

    private readonly List<(string Name, int[] Shape)> _planned = [];

    public long TotalFloats { get; private set; }
    public long TotalBytes => TotalFloats * sizeof(float);
    public IReadOnlyList<(string Name, int[] Shape)> Planned => _planned;

    public TensorArena Add(string name, params int[] shape)
    {
        long count = 1;
        foreach (int d in shape)
        {
            count *= d;
        }
        if (count > MaxBlockFloats)
        {
            throw new ArgumentException($"tensor '{name}' {Tensor.ShapeText(shape)} is larger than one arena block");
        }
        _planned.Add((name, shape));
        TotalFloats += (count + 15) & ~15L; // keep every view 64-byte aligned relative to its block
        return this;
    }

    /// <summary>Allocates all planned tensors (zeroed) and returns them by name.</summary>
    public Dictionary<string, Tensor> Allocate()
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        int i = 0;
        while (i < _planned.Count)
        {
            long blockFloats = 0;
            int end = i;
            while (end < _planned.Count)
            {
                long next = Padded(_planned[end].Shape);
                if (blockFloats + next > MaxBlockFloats && end > i)
                {
                    break;
                }
                blockFloats += next;
                end++;
            }
            var block = GC.AllocateArray<float>((int)blockFloats, pinned: true);
            int offset = 0;
            for (int j = i; j < end; j++)
            {
                var (name, shape) = _planned[j];
                result.Add(name, new Tensor(block, offset, shape));
                offset += (int)Padded(shape);
            }
            i = end;
        }
        return result;
    }

    /// <summary>Carves all planned tensors from one caller-owned block of at least TotalFloats floats, at the offsets
    /// Allocate would use, leaving its contents as they are (plans over MaxBlockFloats need Allocate).</summary>
    public Dictionary<string, Tensor> Carve(float[] block)
    {
        if (TotalFloats > MaxBlockFloats || block.Length < TotalFloats)
        {
            throw new ArgumentException($"a block of {block.Length} floats cannot hold a plan of {TotalFloats} (at most {MaxBlockFloats} in one block)");
        }
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        int offset = 0;
        foreach (var (name, shape) in _planned)
        {
            result.Add(name, new Tensor(block, offset, shape));
            offset += (int)Padded(shape);
        }
        return result;
    }

    private static long Padded(int[] shape)
    {
        long count = 1;
        foreach (int d in shape)
        {
            count *= d;
        }
        return (count + 15) & ~15L;
    }
}
