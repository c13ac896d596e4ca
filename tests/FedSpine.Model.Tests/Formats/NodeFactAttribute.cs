// [NodeFact]: a test that runs a Node.js script with npm packages. Skipped, with the reason, where `node` or `npm` is not
// on PATH or ../shared (beside the folder holding FedSpine.slnx) is absent. Also finds those programs for the test.
namespace FedSpine.Model.Tests.Formats;

public sealed class NodeFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> WhyNot = new(FindMissing);

    public NodeFactAttribute()
    {
        if (WhyNot.Value is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>The full path of a program on PATH (with Windows' .exe/.cmd endings), or null.</summary>
    public static string? OnPath(string program)
    {
        string[] endings = OperatingSystem.IsWindows() ? [".exe", ".cmd"] : [""];
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string ending in endings)
            {
                string candidate = Path.Combine(directory, program + ending);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static string? FindMissing()
    {
        if (SharedData.Folder is null)
        {
            return SharedData.MissingMessage;
        }
        foreach (string program in new[] { "node", "npm" })
        {
            if (OnPath(program) is null)
            {
                return $"'{program}' is not on PATH: this test checks our GGUF with the npm package @huggingface/gguf (install Node.js 20+ to run it)";
            }
        }
        return null;
    }
}
