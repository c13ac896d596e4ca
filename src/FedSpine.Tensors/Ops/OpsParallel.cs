// How the row kernels split work: chunks of whole rows fixed by the problem size alone (never by the thread count),
// so results are reproducible; calls of up to MinParallelElements run inline without touching the worker pool.
namespace FedSpine.Tensors;

internal static class OpsParallel
{
    /// <summary>Calls of at most this many elements run inline on the calling thread.</summary>
    internal const long MinParallelElements = 1 << 16;

    private const long ElementsPerChunk = 1 << 15;
    private const int MaxChunks = 64;

    /// <summary>True when rows·cols elements are too few to be worth spreading over the pool.</summary>
    internal static bool IsSmall(long rows, long cols) => rows * cols <= MinParallelElements;

    /// <summary>Rows per chunk for a large call: chunk c covers [c·rowsPerChunk, min(rows, (c+1)·rowsPerChunk)).</summary>
    internal static int RowsPerChunk(int rows, int cols)
    {
        long elements = (long)rows * cols;
        long chunks = Math.Min(Math.Min(MaxChunks, rows), (elements + ElementsPerChunk - 1) / ElementsPerChunk);
        chunks = Math.Max(1, chunks);
        return (int)((rows + chunks - 1) / chunks);
    }

    /// <summary>Number of chunks of rowsPerChunk rows that cover rows.</summary>
    internal static int ChunkCount(int rows, int rowsPerChunk) => (rows + rowsPerChunk - 1) / rowsPerChunk;
}
