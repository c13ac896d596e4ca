// The persistent helper threads behind WorkerPool and their dispatch protocol: one loop at a time (WorkerPool's lock),
// published under a new generation; wanted helpers spin briefly, then sleep; helpers and caller claim index batches.
using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace FedSpine.Tensors;

internal static class WorkerTeam
{
    private const long SpinMicroseconds = 100;
    private const int NoWork = int.MaxValue;

    private static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds / 1_000_000;
    private static readonly object DoneGate = new();
    private static readonly List<Helper> Helpers = [];

    // generation << 32 | next unclaimed index. Each loop advances the generation twice: first to a state with no work
    // (so a helper still looking at the previous loop cannot claim against the new loop's fields), then to index 0.
    private static long _state;
    private static int _count;
    private static int _batch;
    private static int _helpersWanted;
    private static int _done;
    private static int _callerWaiting;
    private static Action<int>? _action;
    private static IWorkerBody? _body;
    private static Exception? _error;

    /// <summary>Runs indices [0, count) on the caller and up to <paramref name="helpers"/> pool threads; returns when
    /// all are done and rethrows the first exception a body threw. Callers serialize (WorkerPool's lock).</summary>
    internal static void Execute(int count, Action<int>? action, IWorkerBody? body, int helpers)
    {
        while (Helpers.Count < helpers)
        {
            StartHelper(Helpers.Count);
        }
        int generation = Generation(Volatile.Read(ref _state)) + 1;
        Interlocked.Exchange(ref _state, Pack(generation, NoWork));
        _action = action;
        _body = body;
        _count = count;
        _batch = Math.Max(1, count / ((helpers + 1) * 8));
        _helpersWanted = helpers;
        _done = 0;
        _error = null;
        generation++;
        Interlocked.Exchange(ref _state, Pack(generation, 0));
        for (int h = 0; h < helpers; h++)
        {
            Helpers[h].Wake();
        }
        RunItems(generation);
        WaitDone(count);
        _action = null;
        _body = null;
        Exception? error = _error;
        _error = null;
        if (error != null)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }

    private static int Generation(long state) => (int)(state >> 32);

    private static long Pack(int generation, int index) => ((long)generation << 32) | (uint)index;

    /// <summary>Claims and runs batches of the loop published under <paramref name="generation"/> until none is left.</summary>
    private static void RunItems(int generation)
    {
        while (true)
        {
            long state = Volatile.Read(ref _state);
            int start = (int)state;
            int count = _count;
            if (Generation(state) != generation || start >= count)
            {
                return;
            }
            int end = Math.Min(count, start + _batch);
            if (Interlocked.CompareExchange(ref _state, Pack(generation, end), state) != state)
            {
                continue;
            }
            // A successful claim proves the loop is still live, so these fields belong to it.
            Action<int>? action = _action;
            IWorkerBody? body = _body;
            for (int i = start; i < end && Volatile.Read(ref _error) == null; i++)
            {
                try
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
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _error, e, null);
                }
            }
            if (Interlocked.Add(ref _done, end - start) == count && Volatile.Read(ref _callerWaiting) != 0)
            {
                lock (DoneGate)
                {
                    Monitor.PulseAll(DoneGate);
                }
            }
        }
    }

    private static void WaitDone(int count)
    {
        long start = Stopwatch.GetTimestamp();
        while (Volatile.Read(ref _done) != count)
        {
            if (Stopwatch.GetTimestamp() - start < SpinTicks)
            {
                Thread.SpinWait(4);
                continue;
            }
            lock (DoneGate)
            {
                Interlocked.Exchange(ref _callerWaiting, 1);
                while (Volatile.Read(ref _done) != count)
                {
                    Monitor.Wait(DoneGate);
                }
                _callerWaiting = 0;
            }
        }
    }

    private static void StartHelper(int index)
    {
        var helper = new Helper(index, Generation(Volatile.Read(ref _state)));
        Helpers.Add(helper);
        new Thread(helper.Loop)
        {
            IsBackground = true,
            Name = $"FedSpine worker {index + 1}",
        }.Start();
    }

    /// <summary>One pool thread: runs every loop that wants it, sleeping on its own gate between loops.</summary>
    private sealed class Helper(int index, int seenGeneration)
    {
        private readonly object _gate = new();
        private int _seen = seenGeneration;
        private int _sleeping;

        /// <summary>Called by the caller after publishing a loop: wakes the helper if it sleeps.</summary>
        public void Wake()
        {
            if (Volatile.Read(ref _sleeping) != 0)
            {
                lock (_gate)
                {
                    Monitor.Pulse(_gate);
                }
            }
        }

        public void Loop()
        {
            WorkerPool.InsideWorker = true;
            while (true)
            {
                _seen = WaitForNewGeneration();
                if (index < Volatile.Read(ref _helpersWanted))
                {
                    RunItems(_seen);
                }
            }
        }

        /// <summary>Spins a while (only if the last loop wanted this helper), then sleeps until a new generation.</summary>
        private int WaitForNewGeneration()
        {
            long start = Stopwatch.GetTimestamp();
            bool spin = index < Volatile.Read(ref _helpersWanted);
            while (true)
            {
                int generation = Generation(Volatile.Read(ref _state));
                if (generation != _seen)
                {
                    return generation;
                }
                if (spin && Stopwatch.GetTimestamp() - start < SpinTicks)
                {
                    Thread.SpinWait(4);
                    continue;
                }
                lock (_gate)
                {
                    Interlocked.Exchange(ref _sleeping, 1);
                    while (Generation(Volatile.Read(ref _state)) == _seen)
                    {
                        Monitor.Wait(_gate);
                    }
                    _sleeping = 0;
                }
            }
        }
    }
}
