// What GET /status reports: the run's progress (state, rounds done, simulated clock) and, per device, whether and when it
// was last seen, and its last round's arm, status, times, loss and accuracy. Thread-safe: handlers and the round loop update it.
using System.Text.Json.Serialization;
using FedSpine.Federated.Rounds;

namespace FedSpine.Deploy.Server;

public sealed record DeviceStatus(
    [property: JsonPropertyName("device")] int Device,
    [property: JsonPropertyName("device_class")] string DeviceClass,
    [property: JsonPropertyName("seen")] bool Seen,
    [property: JsonPropertyName("last_seen_s_ago")] double? LastSeenSecondsAgo,
    [property: JsonPropertyName("profile")] string? Profile,
    [property: JsonPropertyName("last_round")] int? LastRound,
    [property: JsonPropertyName("last_status")] string? LastStatus,
    [property: JsonPropertyName("last_arm_step")] double? LastArmStep,
    [property: JsonPropertyName("last_rank")] int? LastRank,
    [property: JsonPropertyName("last_total_s")] double? LastTotalSeconds,
    [property: JsonPropertyName("last_wall_s")] double? LastWallSeconds,
    [property: JsonPropertyName("last_loss")] double? LastLoss,
    [property: JsonPropertyName("last_accuracy")] double? LastAccuracy,
    [property: JsonPropertyName("sparsity")] double? Sparsity);

public sealed record ServerStatus(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("round")] int Round,
    [property: JsonPropertyName("rounds")] int Rounds,
    [property: JsonPropertyName("round_open")] bool RoundOpen,
    [property: JsonPropertyName("sim_time_s")] double SimTimeSeconds,
    [property: JsonPropertyName("devices_expected")] int DevicesExpected,
    [property: JsonPropertyName("devices_seen")] int DevicesSeen,
    [property: JsonPropertyName("round_wall_s")] IReadOnlyList<double> RoundWallSeconds,
    [property: JsonPropertyName("devices")] IReadOnlyList<DeviceStatus> Devices);

public sealed class StatusBoard
{
    private readonly Lock _gate = new();
    private readonly DateTime[] _seen;
    private readonly string?[] _profiles;
    private readonly DeviceRoundRecord?[] _last;
    private readonly string[] _classes;
    private readonly List<double> _roundWall = [];
    private TaskCompletionSource _anySeen = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StatusBoard(string runId, string method, int rounds, IReadOnlyList<string> deviceClasses)
    {
        RunId = runId;
        Method = method;
        Rounds = rounds;
        _classes = deviceClasses.ToArray();
        _seen = new DateTime[_classes.Length];
        _profiles = new string?[_classes.Length];
        _last = new DeviceRoundRecord?[_classes.Length];
    }

    public string RunId { get; }
    public string Method { get; }
    public int Rounds { get; }
    public string State { get; set; } = "waiting-for-devices";
    public int Round { get; set; }
    public double SimTime { get; set; }

    public int SeenCount
    {
        get
        {
            lock (_gate)
            {
                return _seen.Count(t => t != default);
            }
        }
    }

    /// <summary>An authenticated request from the device (a hello may name its profile).</summary>
    public void Seen(int device, string? profile = null)
    {
        lock (_gate)
        {
            bool first = _seen[device] == default;
            _seen[device] = DateTime.UtcNow;
            _profiles[device] = profile ?? _profiles[device];
            if (first)
            {
                var old = _anySeen;
                _anySeen = new(TaskCreationOptions.RunContinuationsAsynchronously);
                old.TrySetResult();
            }
        }
    }

    /// <summary>Blocks until count devices have been seen, or timeout; true when they have.</summary>
    public bool WaitForDevices(int count, TimeSpan timeout, CancellationToken cancel)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            Task next;
            lock (_gate)
            {
                if (_seen.Count(t => t != default) >= count)
                {
                    return true;
                }
                next = _anySeen.Task;
            }
            var left = until - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || cancel.IsCancellationRequested)
            {
                return false;
            }
            next.Wait(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), CancellationToken.None);
        }
    }

    public void RoundDone(RoundSummary summary, double wallSeconds)
    {
        lock (_gate)
        {
            foreach (var r in summary.Devices)
            {
                _last[r.Device] = r;
            }
            _roundWall.Add(wallSeconds);
            Round = summary.Round;
            SimTime = summary.SimTimeSeconds;
        }
    }

    public ServerStatus Snapshot(bool roundOpen)
    {
        lock (_gate)
        {
            var now = DateTime.UtcNow;
            var devices = _classes.Select((c, i) =>
            {
                var r = _last[i];
                return new DeviceStatus(i, c, _seen[i] != default, _seen[i] == default ? null : (now - _seen[i]).TotalSeconds, _profiles[i],
                    r?.Round, r?.Status, r?.ArmStep, r?.Rank, r?.TotalSeconds, r?.WallSeconds, r?.LossAfter, r?.Accuracy, r?.Sparsity);
            }).ToList();
            return new ServerStatus(RunId, Method, State, Round, Rounds, roundOpen, SimTime, _classes.Length, devices.Count(d => d.Seen),
                _roundWall.ToList(), devices);
        }
    }
}
