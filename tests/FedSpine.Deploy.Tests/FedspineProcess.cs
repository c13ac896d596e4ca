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

    /// <summary>Writes the run config to folder/run.json and runs `fedspine partition` into folder/parts for that many
    /// devices (asserting it succeeds within limit); returns both paths.</summary>
    public static (string ConfigPath, string Parts) WriteConfigAndPartition(string folder, FedSpine.Federated.Runs.RunConfig config,
        int devices, TimeSpan limit)
    {
        string configPath = Path.Combine(folder, "run.json");
        File.WriteAllText(configPath, FedSpine.Federated.Runs.RunConfigFile.ToJson(config));
        string parts = Path.Combine(folder, "parts");
        using var partition = new FedspineProcess("partition", "--config", configPath, "--devices", $"{devices}", "--out", parts);
        Assert.True(partition.WaitForExit(limit) == 0, partition.Output);
        return (configPath, parts);
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

    /// <summary>Sends SIGTERM (what systemctl stop and docker stop send first).</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
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
