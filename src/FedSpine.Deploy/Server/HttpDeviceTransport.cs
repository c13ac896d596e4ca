// The round engine's transport over HTTP: Exchange publishes each selected device's task (encoded once) on a board, then
// blocks until every device has uploaded or declined, or the wall-clock round timeout passes (missing devices: null, the
// engine drops them). Request handlers poll the board and hand in uploads they have already decoded and validated.
using FedSpine.Deploy.Wire;
using FedSpine.Federated.Rounds;

namespace FedSpine.Deploy.Server;

public sealed class HttpDeviceTransport : IDeviceTransport
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, List<string>> _notices = [];
    private Board? _board;
    private TaskCompletionSource _changed = NewSignal();

    /// <param name="completedRounds">Rounds the run has already completed (a resumed run), so that refusals name the round.</param>
    public HttpDeviceTransport(TimeSpan roundTimeout, int completedRounds = 0)
    {
        RoundTimeout = roundTimeout;
        Round = completedRounds;
    }

    /// <summary>Longest real time a round waits for uploads.</summary>
    public TimeSpan RoundTimeout { get; }

    public bool Finished { get; private set; }

    /// <summary>The open round, or the last one (the completed rounds before the first of this session).</summary>
    public int Round { get; private set; }

    /// <summary>Whether a round is open (tasks published, uploads accepted).</summary>
    public bool RoundOpen
    {
        get
        {
            lock (_gate)
            {
                return _board is { Closed: false };
            }
        }
    }

    public IReadOnlyList<DeviceReport?> Exchange(IReadOnlyList<RoundTask> tasks)
    {
        if (tasks.Count == 0)
        {
            return [];
        }
        var board = new Board(tasks[0].Round, tasks.ToDictionary(t => t.DeviceId, t => new Entry(t, TaskMessage.Encode(t), ReportMessage.SizeLimit(t))));
        lock (_gate)
        {
            _board = board;
            Round = board.Round;
            Signal();
        }
        board.AllDone.Task.Wait(RoundTimeout);
        lock (_gate)
        {
            board.Closed = true;
            Signal();
            return tasks.Select(t => board.Entries[t.DeviceId].Report).ToList();
        }
    }

    public void Dropped(int deviceId, int round, string reason)
    {
        lock (_gate)
        {
            if (!_notices.TryGetValue(deviceId, out var list))
            {
                _notices[deviceId] = list = [];
            }
            list.Add($"round {round}: your upload was not used: {reason}");
        }
    }

    /// <summary>The run is over: pollers are told "finished".</summary>
    public void Finish()
    {
        lock (_gate)
        {
            Finished = true;
            Signal();
        }
    }

    /// <summary>The device's task bytes when it has one waiting, else the wait/finished state (after waiting up to wait).</summary>
    public async Task<(byte[]? Task, PollState State)> Poll(int device, TimeSpan wait, CancellationToken cancel)
    {
        var until = DateTime.UtcNow + wait;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (Finished)
                {
                    return (null, new PollState("finished", Round, TakeNotices(device)));
                }
                if (_board is { Closed: false } b && b.Entries.TryGetValue(device, out var entry) && !entry.Done)
                {
                    return (entry.Bytes, new PollState("task", b.Round, []));
                }
                changed = _changed.Task;
            }
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                lock (_gate)
                {
                    return (null, new PollState("wait", Round, TakeNotices(device)));
                }
            }
            await Task.WhenAny(changed, Task.Delay(left, cancel)).ConfigureAwait(false);
            cancel.ThrowIfCancellationRequested();
        }
    }

    /// <summary>The task the device may answer in this round and its upload size limit; 409 WireError otherwise (a replay from
    /// an old round, a round already closed, no task, or already answered).</summary>
    public (RoundTask Task, long SizeLimit) Outstanding(int device, int round)
    {
        lock (_gate)
        {
            var entry = Find(device, round);
            return (entry.Task, entry.SizeLimit);
        }
    }

    /// <summary>Hands in the device's answer (a validated report, or null: it declines the round); 409 when no longer open.</summary>
    public void Complete(int device, int round, DeviceReport? report)
    {
        lock (_gate)
        {
            var entry = Find(device, round);
            entry.Report = report;
            entry.Done = true;
            if (_board!.Entries.Values.All(e => e.Done))
            {
                _board.AllDone.TrySetResult();
            }
            Signal();
        }
    }

    private Entry Find(int device, int round)
    {
        if (Finished)
        {
            throw new WireError(409, $"the run is over; round {round} takes no uploads");
        }
        if (_board is null || _board.Round != round)
        {
            throw new WireError(409, $"upload for round {round}, but the current round is {Round} (a replayed or stale upload)");
        }
        if (_board.Closed)
        {
            throw new WireError(409, $"round {round} is closed (the upload came after the round's timeout)");
        }
        if (!_board.Entries.TryGetValue(device, out var entry))
        {
            throw new WireError(409, $"device {device} has no task in round {round}");
        }
        if (entry.Done)
        {
            throw new WireError(409, $"device {device} already answered round {round} (a replayed upload)");
        }
        return entry;
    }

    private List<string> TakeNotices(int device)
    {
        if (!_notices.Remove(device, out var list))
        {
            return [];
        }
        return list;
    }

    private void Signal()
    {
        var old = _changed;
        _changed = NewSignal();
        old.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Entry(RoundTask task, byte[] bytes, long sizeLimit)
    {
        public RoundTask Task { get; } = task;
        public byte[] Bytes { get; } = bytes;
        public long SizeLimit { get; } = sizeLimit;
        public DeviceReport? Report { get; set; }
        public bool Done { get; set; }
    }

    private sealed class Board(int round, Dictionary<int, Entry> entries)
    {
        public int Round { get; } = round;
        public Dictionary<int, Entry> Entries { get; } = entries;
        public bool Closed { get; set; }
        public TaskCompletionSource AllDone { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
