// [TorchFact]: a test that runs a PyTorch reference script. It is skipped, with the reason, where /usr/bin/python3
// cannot import torch or where ../shared (beside the folder holding FedSpine.slnx) is absent.
using System.Diagnostics;

namespace FedSpine.Cli.Tests;

public sealed class TorchFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> WhyNot = new(FindMissing);

    public TorchFactAttribute()
    {
        if (WhyNot.Value is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>The repository root (the folder holding FedSpine.slnx), or null.</summary>
    public static string? RepoRoot => SharedData.RepoRoot;

    private static string? FindMissing()
    {
        if (RepoRoot is null)
        {
            return "the repository root (the folder holding FedSpine.slnx) was not found";
        }
        if (SharedData.Folder is null)
        {
            return SharedData.MissingMessage;
        }
        if (!File.Exists(Python))
        {
            return $"{Python} was not found: this test runs a PyTorch reference script";
        }
        try
        {
            using var process = Process.Start(new ProcessStartInfo(Python, ["-c", "import torch"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                return $"{Python} -c 'import torch' did not finish within 2 minutes";
            }
            return process.ExitCode == 0
                ? null
                : $"{Python} cannot import torch ({LastLine(stderr.Result)}); apt-get install -y python3-torch libopenblas0-pthread";
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return $"{Python} could not be started: {e.Message}";
        }
    }

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no message";
}
