// Runs loop bodies over all cores. Work never depends on the thread count for its result: callers split work into
// fixed chunks. A call made from inside a worker runs inline (no nested parallelism). PLACEHOLDER on Parallel.For.
namespace FedSpine.Tensors;

public static class WorkerPool
{
    private static int _threadCount = ReadThreadCount();

    /// <summary>Threads used (FEDSPINE_THREADS, else the processor count).</summary>
    public static int ThreadCount
    {
        get => _threadCount;
        set => _threadCount = Math.Max(1, value);
    }

    [ThreadStatic] private static bool _insideWorker;

    /// <summary>Calls body(i) for i in [0, count), spread over the pool.</summary>
    public static void For(int count, Action<int> body)
    {
        if (count <= 1 || _threadCount == 1 || _insideWorker)
        {
            for (int i = 0; i < count; i++)
            {
                body(i);
            }
            return;
        }
        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = _threadCount }, i =>
        {
            bool was = _insideWorker;
            _insideWorker = true;
            try
            {
                body(i);
            }
            finally
            {
                _insideWorker = was;
            }
        });
    }

    private static int ReadThreadCount()
    {
        string? text = Environment.GetEnvironmentVariable("FEDSPINE_THREADS");
        return int.TryParse(text, out int n) && n > 0 ? n : Environment.ProcessorCount;
    }
}
