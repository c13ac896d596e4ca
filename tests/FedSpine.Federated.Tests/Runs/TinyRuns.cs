// Run configs small enough for tests: the bundled base model and the bundled spam task (both in the repository, so no
// ../shared is needed), four devices, a few rounds of a few steps on short rows.
using FedSpine.Federated.Runs;

namespace FedSpine.Federated.Tests.Runs;

internal static class TinyRuns
{
    public static string Repo => SharedData.RepoRoot ?? throw new InvalidOperationException("repository root not found");

    public static RunConfig Spam(params string[] methods) => new()
    {
        Model = Path.Combine(Repo, "models", "fedspine-base"),
        Task = "spam",
        Data = Path.Combine(Repo, "data", "spam", "train.jsonl"),
        EvalData = Path.Combine(Repo, "data", "spam", "test.jsonl"),
        Devices = "2 tx2,1 nx,1 agx",
        Rounds = 3,
        LocalSteps = 2,
        Batch = 4,
        MaxTokens = 24,
        Methods = methods.Length == 0 ? ["fedspine"] : methods,
        Partition = "dirichlet:0.5",
        EvalExamples = 24,
        SaveModels = false,
        PruneEnd = 0.67,
    };

    /// <summary>The spam run with a global test set of its first `examples` test examples (a file in a temp folder), for
    /// tests that run many final evaluations.</summary>
    public static RunConfig SpamSmallTest(int examples, params string[] methods)
    {
        string path = Path.Combine(TempFolder("spam-test"), "test.jsonl");
        File.WriteAllLines(path, File.ReadLines(Path.Combine(Repo, "data", "spam", "test.jsonl")).Take(examples));
        return Spam(methods) with { EvalData = path };
    }

    public static string TempFolder(string name)
    {
        string folder = Path.Combine(Path.GetTempPath(), "fedspine-tests", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }
}
