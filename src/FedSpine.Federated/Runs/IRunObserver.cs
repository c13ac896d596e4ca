// What a run reports while it works (the CLI draws progress bars from it): methods starting, rounds done, the final
// evaluation, and each method's result.
namespace FedSpine.Federated.Runs;

public interface IRunObserver
{
    void MethodStarted(string method, int index, int count, int rounds, int resumedAt);
    void RoundDone(string method, RoundPoint round);
    void MethodDone(MethodResult result, bool fromEarlierSession);
}
