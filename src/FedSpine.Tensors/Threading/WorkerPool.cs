// Runs loop bodies over persistent worker threads plus the caller. Results never depend on the thread count: callers
// split work into fixed chunks. Nested calls, count <= 1, and calls made while the pool is busy run inline.
namespace FedSpine.Tensors;

public static class WorkerPool
{
    private static readonly Lock DispatchLock = new();
    private static int _threadCount = ReadThreadCount();

    [ThreadStatic] private static bool _insideWorker;

    /// <summary>Threads used, the caller included (FEDSPINE_THREADS, else the processor count).</summary>
    public static int ThreadCount
    {
        get => _threadCount;
        set => _threadCount = Math.Max(1, value);
    }

    /// <summary>True on a pool thread, or on a caller while it takes part in a parallel loop.</summary>
    internal static bool InsideWorker
    {
        get => _insideWorker;
        set => _insideWorker = value;
    }

    /// <summary>Calls body(i) for i in [0, count), spread over the pool.</summary>
    public static void For(int count, Action<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Run(count, body, null);
    }

    /// <summary>Calls body.Invoke(i) for i in [0, count), spread over the pool, without allocating.</summary>
    public static void For(int count, IWorkerBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Run(count, null, body);
    }

    private static void Run(int count, Action<int>? action, IWorkerBody? body)
    {
        int threads = _threadCount;
        if (count <= 1 || threads == 1 || _insideWorker || !DispatchLock.TryEnter())
        {
            for (int i = 0; i < count; i++)
            {
                if (action != null)
                {
                    action(i);
                }
                else
                {
                    body!.Invoke(i);
                }
            }
            return;
        }
        try
        {
            _insideWorker = true;
            WorkerTeam.Execute(count, action, body, Math.Min(threads, count) - 1);
        }
        finally
        {
            _insideWorker = false;
            DispatchLock.Exit();
        }
    }

    private static int ReadThreadCount()
    {
        string? text = Environment.GetEnvironmentVariable("FEDSPINE_THREADS");
        return int.TryParse(text, out int n) && n > 0 ? n : Environment.ProcessorCount;
    }
}
