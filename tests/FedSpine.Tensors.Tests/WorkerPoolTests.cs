// WorkerPool: every index runs exactly once at any thread count, nested and concurrent calls complete, exceptions
// reach the caller, and with two threads a loop really runs on two threads at once.
namespace FedSpine.Tensors.Tests;

/// <summary>Tests that change process-wide settings (WorkerPool.ThreadCount, IsaPath.Force) or measure the whole pool run
/// alone, so no other test sees the change.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PoolSettingsCollection
{
    public const string Name = "WorkerPool settings";
}

[Collection(PoolSettingsCollection.Name)]
public sealed class WorkerPoolTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void EveryIndexRunsExactlyOnce(int threads)
    {
        WithThreads(threads, () =>
        {
            foreach (int count in new[] { 0, 1, 2, 3, 17, 1000, 100_000 })
            {
                var hits = new int[count];
                WorkerPool.For(count, i => Interlocked.Increment(ref hits[i]));
                Assert.All(hits, h => Assert.Equal(1, h));

                var body = new CountingBody(count);
                WorkerPool.For(count, body);
                Assert.All(body.Hits, h => Assert.Equal(1, h));
            }
        });
    }

    [Fact]
    public void TwoThreadsRunTwoIndicesAtTheSameTime()
    {
        WithThreads(2, () =>
        {
            using var both = new Barrier(2);
            bool met = true;
            WorkerPool.For(2, _ => met &= both.SignalAndWait(Patience));
            Assert.True(met);
        });
    }

    [Fact]
    public void NestedLoopsRunInlineAndComplete()
    {
        WithThreads(2, () =>
        {
            var hits = new int[8 * 50];
            WorkerPool.For(8, i => WorkerPool.For(50, j => Interlocked.Increment(ref hits[i * 50 + j])));
            Assert.All(hits, h => Assert.Equal(1, h));
        });
    }

    [Fact]
    public void ConcurrentCallersAllCompleteCorrectly()
    {
        WithThreads(2, () =>
        {
            const int callers = 6;
            var sums = new long[callers];
            Task[] tasks = Enumerable.Range(0, callers).Select(c => Task.Run(() =>
            {
                for (int round = 0; round < 200; round++)
                {
                    WorkerPool.For(64, i => Interlocked.Add(ref sums[c], i + 1));
                }
            })).ToArray();
            Assert.True(Task.WaitAll(tasks, Patience), "concurrent WorkerPool.For calls did not finish");
            Assert.All(sums, s => Assert.Equal(200L * 64 * 65 / 2, s));
        });
    }

    [Fact]
    public void AnExceptionInABodyReachesTheCallerAndThePoolKeepsWorking()
    {
        WithThreads(2, () =>
        {
            var error = Assert.Throws<InvalidOperationException>(() => WorkerPool.For(100, i =>
            {
                if (i == 37)
                {
                    throw new InvalidOperationException("index 37");
                }
            }));
            Assert.Equal("index 37", error.Message);

            var hits = new int[100];
            WorkerPool.For(100, i => Interlocked.Increment(ref hits[i]));
            Assert.All(hits, h => Assert.Equal(1, h));
        });
    }

    [Fact]
    public void ThreadCountIsAtLeastOne()
    {
        WithThreads(0, () => Assert.Equal(1, WorkerPool.ThreadCount));
    }

    /// <summary>Runs <paramref name="action"/> with WorkerPool.ThreadCount set, then restores it.</summary>
    internal static void WithThreads(int threads, Action action)
    {
        int saved = WorkerPool.ThreadCount;
        WorkerPool.ThreadCount = threads;
        try
        {
            action();
        }
        finally
        {
            WorkerPool.ThreadCount = saved;
        }
    }

    private sealed class CountingBody(int count) : IWorkerBody
    {
        public int[] Hits { get; } = new int[count];

        public void Invoke(int index) => Interlocked.Increment(ref Hits[index]);
    }
}
