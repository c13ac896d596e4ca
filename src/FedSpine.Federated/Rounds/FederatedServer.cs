// The round engine: select devices, let each bandit pick an arm that fits the device's memory, send tasks through the
// transport, drop late or invalid uploads (telling the device), bound the rest (UploadBounds) and aggregate them, roll the
// round back when the new global state fails its check (GlobalSnapshot), reward the bandits, advance the clock.
using FedSpine.Federated.Aggregation;
using FedSpine.Federated.Bandits;
using FedSpine.Federated.Devices;
using FedSpine.Model;
using FedSpine.Pruning;
using FedSpine.Tensors;

namespace FedSpine.Federated.Rounds;

public sealed class FederatedServer
{
    private readonly ILoraAggregator _aggregator;
    private readonly LocalTrainingSettings _local;
    private readonly LayerShape[] _original;

    public FederatedServer(ServerSettings settings, LocalTrainingSettings local, GlobalLora global, IReadOnlyList<DeviceSlot> slots,
        ILoraAggregator aggregator, string method)
    {
        settings.Validate();
        Settings = settings;
        _local = local;
        Global = global;
        Slots = slots;
        _aggregator = aggregator;
        Method = method;
        if (settings.ServerMomentum > 0 && aggregator.Refactors)
        {
            throw new ArgumentException($"server_momentum: {aggregator.Name} re-factors the global LoRA every round, so its factors have " +
                "no fixed basis for a coordinate-wise velocity; use server_momentum: 0 with it", nameof(settings));
        }
        Momentum = settings.ServerMomentum > 0 ? new ServerMomentum(settings.ServerMomentum, global) : null;
        _original = slots[0].Mask.OriginalShapes;
        foreach (var slot in slots)
        {
            slot.TargetSparsity = settings.FinalSparsity;
            slot.TargetBandit = settings.PerDeviceSparsity && settings.FinalSparsity > 0
                ? new TargetSparsityBandit(settings.SparsitySpread, settings.TargetBandit)
                : null;
        }
    }

    public ServerSettings Settings { get; }
    public string Method { get; }
    public GlobalLora Global { get; }
    public IReadOnlyList<DeviceSlot> Slots { get; }

    /// <summary>The server's velocity when server_momentum > 0 (FedAvgM), else null.</summary>
    public ServerMomentum? Momentum { get; }

    /// <summary>Rounds completed.</summary>
    public int Round { get; set; }

    /// <summary>Simulated seconds since the run started.</summary>
    public double SimTime { get; set; }

    public long BytesSent { get; set; }

    /// <summary>Runs round Round+1 over the transport and returns its summary.</summary>
    public RoundSummary RunRound(IDeviceTransport transport)
    {
        int t = Round + 1;
        var selected = SelectDevices(t);
        if (Settings.PerDeviceSparsity && Settings.FinalSparsity > 0)
        {
            AssignTargets(selected, t);
        }
        var tasks = new List<RoundTask>();
        var records = new List<DeviceRoundRecord>();
        foreach (var slot in selected)
        {
            var task = TaskFor(slot, t);
            if (task is null)
            {
                records.Add(Record(slot, t) with { Status = "no-fit", Message = "no configuration fits the device's memory", Sparsity = slot.Sparsity });
                continue;
            }
            tasks.Add(task);
        }
        var reports = transport.Exchange(tasks);

        var accepted = new List<(DeviceSlot Slot, RoundTask Task, DeviceReport Report)>();
        var lateSeconds = new List<double>();
        for (int i = 0; i < tasks.Count; i++)
        {
            var task = tasks[i];
            var slot = Slots[task.DeviceId];
            var report = reports[i];
            long down = MessageSize.Of(task);
            BytesSent += down;
            var baseRecord = Record(slot, t) with { ArmStep = task.Arm.PruneStep, Rank = task.Arm.Rank, Sparsity = task.Sparsity, BytesDown = down };
            if (report is null)
            {
                records.Add(baseRecord with { Status = "no-answer", Message = "the device did not answer (dropped out)", Sparsity = slot.Sparsity });
                continue;
            }
            long up = MessageSize.Of(report);
            BytesSent += up;
            string? problem = UploadValidator.Check(report, task, Global);
            if (problem is not null)
            {
                transport.Dropped(slot.Id, t, problem);
                slot.Bandit.Update(task.Arm, 0);
                slot.TargetBandit?.Update(0);
                records.Add(baseRecord with { Status = "invalid", Message = problem, BytesUp = up, Reward = 0, Sparsity = slot.Sparsity });
                continue;
            }
            if (Settings.DeadlineSeconds is double deadline && report.TotalSeconds > deadline)
            {
                string why = $"finished after {report.TotalSeconds:0.##} s, past the round's {deadline:0.##} s deadline";
                transport.Dropped(slot.Id, t, why);
                slot.Bandit.Update(task.Arm, 0);
                slot.TargetBandit?.Update(0);
                Adopt(slot, task, report);   // the device did prune; the server keeps its mask in step
                lateSeconds.Add(deadline);
                records.Add(Describe(baseRecord, report, up) with { Status = "late", Message = why, Reward = 0 });
                continue;
            }
            accepted.Add((slot, task, report));
        }

        var norms = accepted.Select(a => UpdateTerm(a.Report, a.Task)).ToList();   // before aggregation: "change" reads the sent state
        var bounded = UploadBounds.Apply(accepted.Select(a => (a.Report, _local.Adapter.Alpha(a.Task.Arm.Rank))).ToList(), Global, Settings);
        var snapshot = new GlobalSnapshot(Global);
        Global.Aggregate(bounded.Select((b, i) => (b.Report, _local.Adapter.Alpha(accepted[i].Task.Arm.Rank))).ToList(), _aggregator);
        double change = 0;
        string? rolledBack = null;
        if (accepted.Count > 0 && snapshot.Check(Global, Settings.MaxGlobalChange, out change, productSpace: _aggregator.Refactors) is string failed)
        {
            snapshot.Restore(Global);
            rolledBack = $"round {t} rolled back: {failed}; devices in it: {string.Join(", ", accepted.Select(a => a.Slot.Id))}";
        }
        else if (accepted.Count > 0)
        {
            Momentum?.Apply(Global, snapshot);   // on the checked aggregate; a rolled-back round leaves the velocity alone
        }
        var rewards = RewardCalculator.Compute(accepted.Select((a, i) => (
            Gain(a.Report), ProgressTerm(Slots[a.Task.DeviceId], a.Task, t), norms[i], a.Report.TotalSeconds)).ToList(), Settings.Rewards);
        for (int i = 0; i < accepted.Count; i++)
        {
            var (slot, task, report) = accepted[i];
            if (rolledBack is null)
            {
                slot.Bandit.Update(task.Arm, rewards[i].Reward);
                slot.TargetBandit?.Update(rewards[i].Reward);
            }
            Adopt(slot, task, report);   // a rolled-back round still pruned the devices: the server keeps their masks in step
            var record = Describe(Record(slot, t) with { ArmStep = task.Arm.PruneStep, Rank = task.Arm.Rank, Sparsity = task.Sparsity, BytesDown = MessageSize.Of(task) },
                report, MessageSize.Of(report)) with { ClipFactor = bounded[i].ClipFactor, Weight = bounded[i].Report.SampleCount };
            records.Add(rolledBack is null
                ? record with { Reward = rewards[i].Reward, RewardTerms = rewards[i] }
                : record with { Status = "rolled-back", Message = rolledBack });
        }

        double roundSeconds = accepted.Select(a => a.Report.TotalSeconds).Concat(lateSeconds).DefaultIfEmpty(0).Max();
        SimTime += roundSeconds;
        Round = t;
        var times = accepted.Select(a => a.Report.TotalSeconds).ToArray();
        double spread = times.Length < 2 ? 0 : StdDev(times) / times.Average();
        records = records.Select(r => r with { SimTimeSeconds = SimTime }).OrderBy(r => r.Device).ToList();
        // A round that used no upload has no accuracy of its own: NaN (null in the curve), never the earlier rounds' value.
        int used = rolledBack is null ? accepted.Count : 0;
        return new RoundSummary(t, roundSeconds, SimTime, used, selected.Count, used > 0 ? MeanAccuracy() : double.NaN, Slots.Average(s => s.Sparsity),
            BytesSent, spread, records) { GlobalChange = change, RolledBack = rolledBack };
    }

    /// <summary>Test-count-weighted mean of every device's latest local accuracy (devices not yet heard from left out).</summary>
    public double MeanAccuracy()
    {
        var known = Slots.Where(s => !double.IsNaN(s.LastAccuracy) && s.LocalTestCount > 0).ToList();
        return known.Count == 0 ? double.NaN : known.Sum(s => s.LastAccuracy * s.LocalTestCount) / known.Sum(s => (double)s.LocalTestCount);
    }

    private List<DeviceSlot> SelectDevices(int round)
    {
        int count = Math.Min(Slots.Count, Math.Max(Settings.MinDevices, (int)Math.Ceiling(Settings.Fraction * Slots.Count)));
        if (count >= Slots.Count)
        {
            return Slots.ToList();
        }
        var rng = new Rng(Settings.Seed * 0x2545F4914F6CDD1DUL + (ulong)round);
        var order = Enumerable.Range(0, Slots.Count).ToArray();
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order.Take(count).Order().Select(i => Slots[i]).ToList();
    }

    /// <summary>The device's task: the bandit's arm among those that fit its memory, the sparsity it leads to (never
    /// short of the pace that reaches S* by PruneEndRound), and the global LoRA sliced to its units and rank.</summary>
    private RoundTask? TaskFor(DeviceSlot slot, int round)
    {
        var rng = new Rng(Settings.Seed * 0x9E3779B97F4A7C15UL + (ulong)round * 0x100000001B3UL + (ulong)slot.Id * 0xC2B2AE3D27D4EB4FUL);
        var arm = slot.Bandit.Select(rng, a => Fits(slot, a, round));
        if (arm is not Arm chosen)
        {
            return null;
        }
        float alpha = _local.Adapter.Alpha(chosen.Rank);
        return new RoundTask(Settings.RunId, round, slot.Id, slot.Mask, chosen, NextSparsity(slot, chosen, round), slot.TargetSparsity,
            Settings.LocalSteps, Settings.LearningRateAt(round), alpha, Global.SliceFor(slot.Mask, chosen.Rank, alpha),
            (float[])Global.HeadWeight.Clone(), (float[])Global.HeadBias.Clone(), Settings.DeadlineSeconds);
    }

    /// <summary>min(S*_i, s + max(p, pace)) where pace = (S*_i − s) / (rounds left until PruneEndRound, this one included)
    /// and S*_i is the device's own final sparsity (S* in shared mode).</summary>
    public double NextSparsity(DeviceSlot slot, Arm arm, int round)
    {
        double target = slot.TargetSparsity;
        if (target <= 0)
        {
            return 0;
        }
        double left = target - slot.Sparsity;
        double pace = round >= Settings.PruneEndRound ? left : left / (Settings.PruneEndRound - round + 1);
        double next = Math.Min(target, slot.Sparsity + Math.Max(arm.PruneStep, pace));
        return Math.Abs(next - target) < 1e-9 ? target : next;
    }

    /// <summary>Memory of the arm's configuration from the shapes alone: the device trains at its pruned shapes, or at
    /// its current ones for its first round (it needs one step of importance before it can prune).</summary>
    private bool Fits(DeviceSlot slot, Arm arm, int round)
    {
        if (arm.Rank > Global.Rank)
        {
            return false;
        }
        var shapes = slot.Mask.Shapes;
        double next = NextSparsity(slot, arm, round);
        if (next > 0)
        {
            var pruned = UnitCountPlanner.PlanShapes(_original, shapes, next, Settings.Pruning, Math.Max(next, slot.TargetSparsity));
            if (slot.HasTrained)
            {
                shapes = pruned;
            }
            if (pruned.Any(s => Math.Min(s.Heads, s.FfnChannels) < 1))
            {
                return false;
            }
        }
        long bytes = TrainingCost.LoraTrainingMemoryBytes(Global.Config, shapes, _local.Adapter.RankPerModule(arm.Rank),
            _local.Batch, _local.Tokens);
        return bytes <= slot.MemoryBytes;
    }

    /// <summary>Per-device mode: every selected device's target bandit states a preferred final sparsity (the others keep
    /// theirs), and the fleet's targets are projected so that their mean is S* (equal parameter weights: every device
    /// starts from the same base model).</summary>
    private void AssignTargets(IReadOnlyList<DeviceSlot> selected, int round)
    {
        var preferred = Slots.Select(s => s.TargetSparsity).ToArray();
        foreach (var slot in selected)
        {
            var rng = new Rng(Settings.Seed * 0xA0761D6478BD642FUL + (ulong)round * 0xE7037ED1A0B428DBUL + (ulong)slot.Id * 0x8EBC6AF09C88C6E3UL);
            preferred[slot.Id] = Settings.FinalSparsity + slot.TargetBandit!.Select(rng);
        }
        var targets = FleetSparsityTargets.Project(preferred, Slots.Select(s => s.Sparsity).ToArray(), Settings.FinalSparsity, Settings.SparsitySpread);
        foreach (var slot in Slots)
        {
            slot.TargetSparsity = targets[slot.Id];
        }
    }

    /// <summary>The reward's update term of an upload (see ServerSettings.NormTerm); call before aggregating the round.</summary>
    private double UpdateTerm(DeviceReport report, RoundTask task)
    {
        if (Settings.NormTerm == "adapter")
        {
            return report.Factors.Sum(f => GlobalLora.UpdateNorm(f, _local.Adapter.Alpha(f.Rank)));
        }
        var sent = Global.SliceFor(report.Mask, task.Arm.Rank, task.Alpha);
        return report.Factors.Sum(f => GlobalLora.ChangeNorm(sent.Single(s => s.Layer == f.Layer && s.Target == f.Target), f, task.Alpha));
    }

    /// <summary>The reward's progress term (see ServerSettings.ProgressTerm); 1 when the device has nothing to prune.</summary>
    private double ProgressTerm(DeviceSlot slot, RoundTask task, int round)
    {
        double target = task.FinalSparsity;
        if (target <= 0)
        {
            return 1.0;
        }
        if (Settings.ProgressTerm == "ratio")
        {
            return task.Sparsity / target;
        }
        double scheduled = target * Math.Min(1.0, (double)round / Settings.PruneEndRound);
        return Math.Clamp(1 - Math.Abs(task.Sparsity - scheduled) / target, 0, 1);
    }

    private static void Adopt(DeviceSlot slot, RoundTask task, DeviceReport report)
    {
        slot.Mask = report.Mask;
        slot.Sparsity = task.Sparsity;
        slot.HasTrained = true;
        slot.LastRank = task.Arm.Rank;
        slot.LastAccuracy = report.LocalAccuracy;
        slot.LocalTestCount = report.LocalTestCount;
    }

    private static double Gain(DeviceReport r) => r.LossBefore > 0 ? (r.LossBefore - r.LossAfter) / r.LossBefore : 0;

    private DeviceRoundRecord Record(DeviceSlot slot, int round) =>
        new() { Method = Method, Round = round, Device = slot.Id, DeviceClass = slot.DeviceClass };

    private DeviceRoundRecord Describe(DeviceRoundRecord r, DeviceReport report, long up)
    {
        var sparsity = SparsityReport.Measure(Global.Config, report.Mask);
        return r with
        {
            PrunableSparsity = sparsity.PrunableSparsity, OverallSparsity = sparsity.OverallSparsity,
            LossBefore = report.LossBefore, LossAfter = report.LossAfter, TrainLoss = report.TrainLoss, Accuracy = report.LocalAccuracy,
            BytesUp = up, ComputeSeconds = report.ComputeSeconds, DownloadSeconds = report.DownloadSeconds, UploadSeconds = report.UploadSeconds,
            TotalSeconds = report.TotalSeconds, WallSeconds = report.WallSeconds,
        };
    }

    private static double StdDev(double[] x)
    {
        double mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / x.Length);
    }
}
