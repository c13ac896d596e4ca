// Draws an experiment's progress on stderr: a line per (arm, seed) run as it starts, then the run's round bar (method,
// seed and round) from the simulate progress observer.
using FedSpine.Cli.Simulate;
using FedSpine.Federated.Experiments;
using FedSpine.Federated.Runs;

namespace FedSpine.Cli.Experiment;

internal sealed class ExperimentProgress : IExperimentObserver
{
    private readonly ProgressObserver _rounds = new();
    private string _label = "";

    public void RunStarting(string arm, ulong seed, int index, int count, bool alreadyComplete)
    {
        _label = $"{arm} seed {seed}";
        Console.Error.WriteLine($"run {index + 1}/{count}: {_label}{(alreadyComplete ? " (complete, skipped)" : "")}");
    }

    public void MethodStarted(string method, int index, int count, int rounds, int resumedAt) =>
        _rounds.MethodStarted(_label, 0, 1, rounds, resumedAt);

    public void RoundDone(string method, RoundPoint round) => _rounds.RoundDone(_label, round);

    public void MethodDone(MethodResult result, bool fromEarlierSession) => _rounds.MethodDone(result with { Method = _label }, fromEarlierSession);
}
