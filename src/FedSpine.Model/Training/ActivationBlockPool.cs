// One spare activation block per thread: a disposed TrainingGraph leaves its block here and the next graph built on the
// same thread takes it (cleared), so graphs built one after another (simulated devices) do not fault in fresh pages.
namespace FedSpine.Model.Training;

internal static class ActivationBlockPool
{
    [ThreadStatic] private static float[]? _spare;

    /// <summary>A block of at least <paramref name="floats"/> floats whose first <paramref name="floats"/> are zero: the
    /// thread's spare when it is big enough (the spare is then taken), else a new pinned block of exactly that size.</summary>
    public static float[] Rent(long floats)
    {
        var block = _spare;
        if (block is not null && block.Length >= floats)
        {
            _spare = null;
            block.AsSpan(0, (int)floats).Clear();
            return block;
        }
        return GC.AllocateArray<float>((int)floats, pinned: true);
    }

    /// <summary>Gives a block no one uses any more back to this thread; the thread keeps the larger of it and its spare.</summary>
    public static void Return(float[] block)
    {
        if (_spare is null || _spare.Length < block.Length)
        {
            _spare = block;
        }
    }
}
