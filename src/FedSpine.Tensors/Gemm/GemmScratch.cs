// Per-thread, 64-byte aligned float scratch for packed panels and copies: grown on demand, reused by every later call
// on the same thread, pinned so its address can be shared with pool workers for the duration of one call.
namespace FedSpine.Tensors;

internal sealed unsafe class GemmScratch
{
    private const int AlignFloats = 16;

    [ThreadStatic] private static GemmScratch? _current;

    private readonly Slot[] _slots = [new(), new(), new(), new()];

    /// <summary>The calling thread's scratch.</summary>
    public static GemmScratch Current => _current ??= new GemmScratch();

    /// <summary>An aligned buffer of at least <paramref name="floats"/> floats; slots 0..3 are independent buffers.
    /// Contents are undefined; the pointer stays valid until the same slot is asked for more on this thread.</summary>
    public float* Get(int slot, long floats) => _slots[slot].Get(floats);

    private sealed class Slot
    {
        private float[] _array = [];
        private float* _aligned;

        public float* Get(long floats)
        {
            if (floats + AlignFloats > _array.Length)
            {
                long grown = Math.Max(floats + AlignFloats, _array.Length + _array.Length / 2);
                _array = GC.AllocateUninitializedArray<float>(checked((int)grown), pinned: true);
                fixed (float* p = _array)
                {
                    _aligned = (float*)(((nint)p + 63) & ~(nint)63);
                }
            }
            return _aligned;
        }
    }
}
