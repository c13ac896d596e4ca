// Runs the built `fedspine` command as a separate process (as a user would) and captures its exit code, raw stdout
// bytes and stderr text; a hung process is killed after a time limit.
using System.Diagnostics;

namespace FedSpine.Cli.Tests;

internal sealed record CliResult(int ExitCode, byte[] Stdout, string Stderr)
{
    public string StdoutText => System.Text.Encoding.UTF8.GetString(Stdout);
}

internal static class CliRunner
{
    public static CliResult Run(params string[] args) => RunWith(new Dictionary<string, string>(), args);

    /// <summary>Run with extra environment variables set for the child (e.g. the runtime's DOTNET_ switches).</summary>
    public static CliResult RunWith(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "fedspine.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }
        info.ArgumentList.Add(dll);
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var process = Process.Start(info)!;
        var stdout = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"fedspine {string.Join(' ', args)} did not finish in 2 minutes");
        }
        copy.Wait();
        return new CliResult(process.ExitCode, stdout.ToArray(), stderr.Result);
    }
}
