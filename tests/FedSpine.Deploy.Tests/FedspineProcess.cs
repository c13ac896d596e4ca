// A `fedspine` command running as its own process (a server or a device, as on separate machines): output captured line
// by line, waited for with a time limit, killed on dispose so no test leaves processes behind.
using System.Collections.Concurrent;
using System.Diagnostics;

namespace FedSpine.Deploy.Tests;

internal sealed class FedspineProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    public FedspineProcess(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "fedspine.dll"));
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }
        Name = args[0];
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) => Add(e.Data);
        _process.ErrorDataReceived += (_, e) => Add(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }
    public int Id => _process.Id;
    public string Output => string.Join('\n', _lines);
    public bool HasExited => _process.HasExited;

    /// <summary>Exit code, or throws with the captured output when the process runs past the limit.</summary>
    public int WaitForExit(TimeSpan limit)
    {
        if (!_process.WaitForExit(limit))
        {
            Kill();
            throw new TimeoutException($"fedspine {Name} did not exit within {limit.TotalSeconds} s:\n{Output}");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }
}
