// The one round loop of every run kind (simulate, experiment, server): runs the server's remaining rounds over a
// transport, appends each round's device lines to metrics.jsonl, and checkpoints every N rounds, at a stop and at the end.
using System.Text.Json;
using FedSpine.Federated.Rounds;
using FedSpine.Model.Formats;

namespace FedSpine.Federated.Runs;

/// <param name="Server">The method's server, at its first or its checkpointed round.</param>
/// <param name="Rounds">Every round point so far (a resumed run's included); the loop appends to it.</param>
/// <param name="SaveCheckpoint">Writes the checkpoint (with device state in a simulation, server state only in a deployment).</param>
/// <param name="Evaluate">Accuracy on the evaluation set after round t, or null when round t is not evaluated.</param>
/// <param name="PerplexityCurve">The instruct task: Evaluate gives 1/perplexity, and each point also carries the perplexity.</param>
public sealed record RoundLoop(FederatedServer Server, int TotalRounds, int CheckpointEvery, string MetricsPath,
    List<RoundPoint> Rounds, Action SaveCheckpoint, Func<int, double?>? Evaluate = null, bool PerplexityCurve = false)
{
    /// <summary>Runs rounds until the last, or until stopAfterRound (checkpointed there). Returns whether every round ran.
    /// A cancellation is honoured between rounds (OperationCanceledException); the last checkpoint stays valid.</summary>
    public bool Run(IDeviceTransport transport, Action<RoundSummary, RoundPoint>? onRound = null, int? stopAfterRound = null,
        CancellationToken cancel = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(MetricsPath))!);
        while (Server.Round < TotalRounds)
        {
            cancel.ThrowIfCancellationRequested();
            var summary = Server.RunRound(transport);
            var point = RoundPoint.From(summary, Evaluate?.Invoke(Server.Round));
            if (PerplexityCurve && point.Accuracy is double inverse && inverse > 0)
            {
                point = point with { Perplexity = 1 / inverse };
            }
            Rounds.Add(point);
            File.AppendAllLines(MetricsPath, summary.Devices.Select(r => JsonSerializer.Serialize(r)));
            bool stopping = stopAfterRound is int k && Server.Round >= k && Server.Round < TotalRounds;
            if (Server.Round % CheckpointEvery == 0 || stopping || Server.Round == TotalRounds)
            {
                SaveCheckpoint();
            }
            onRound?.Invoke(summary, point);
            if (stopping)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>On resume: keeps the metrics lines of rounds up to the checkpoint's; a line cut short by a kill counts as
    /// after every checkpoint and goes too.</summary>
    public static void TrimMetrics(string metricsPath, int checkpointRound)
    {
        if (!File.Exists(metricsPath))
        {
            return;
        }
        var kept = File.ReadAllLines(metricsPath).Where(line => RoundOf(line) <= checkpointRound).ToList();
        AtomicFile.WriteAllText(metricsPath, string.Concat(kept.Select(l => l + "\n")));
    }

    private static int RoundOf(string line)
    {
        try
        {
            return JsonSerializer.Deserialize<DeviceRoundRecord>(line)?.Round ?? int.MaxValue;
        }
        catch (JsonException)
        {
            return int.MaxValue;
        }
    }
}
