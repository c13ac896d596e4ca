// Draws a simulate run's progress on stderr: one bar per method over its rounds, with the simulated clock, the round
// accuracy and the mean sparsity; a line per rolled-back round and per finished method.
using System.Globalization;
using FedSpine.Cli.Infrastructure;
using FedSpine.Federated.Runs;

namespace FedSpine.Cli.Simulate;

internal sealed class ProgressObserver : IRunObserver
{
    private ProgressBar? _bar;

    public void MethodStarted(string method, int index, int count, int rounds, int resumedAt)
    {
        string resumed = resumedAt > 0 ? $", resuming after round {resumedAt}" : "";
        Console.Error.WriteLine($"method {index + 1}/{count}: {method} ({rounds} rounds{resumed})");
        _bar = new ProgressBar(method.PadRight(13), rounds, "rounds");
    }

    public void RoundDone(string method, RoundPoint p)
    {
        if (p.RolledBack is string why)
        {
            Console.Error.WriteLine($"{method}: {why}");
        }
        string accuracy = p.Perplexity is double ppl ? string.Create(CultureInfo.InvariantCulture, $"ppl {ppl:F2} ")
            : p.Accuracy is double a ? string.Create(CultureInfo.InvariantCulture, $"acc {a:P1} ") : "";
        _bar?.Report(p.Round, string.Create(CultureInfo.InvariantCulture,
            $"sim {p.SimTimeSeconds:0}s {accuracy}sparsity {p.MeanSparsity:P0} devices {p.Accepted}/{p.Selected}"));
    }

    public void MethodDone(MethodResult r, bool fromEarlierSession)
    {
        string where = fromEarlierSession ? " (finished in an earlier session)" : string.Create(CultureInfo.InvariantCulture, $", {r.WallSeconds:0} s here");
        string score = r.FinalPerplexity is double ppl
            ? string.Create(CultureInfo.InvariantCulture, $"final response perplexity {ppl:F3}")
            : string.Create(CultureInfo.InvariantCulture, $"final accuracy {r.FinalAccuracy:P1}");
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{r.Method}: {score} at sparsity {r.FinalSparsity:P1}, {r.SimTimeSeconds:0} simulated s{where}"));
    }
}
