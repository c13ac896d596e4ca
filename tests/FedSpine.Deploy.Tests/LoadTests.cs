// Load: 200 lightweight simulated devices (echo clients, no training) against one `fedspine server` process with a tiny
// model on loopback complete 3 rounds. Prints the server's peak resident memory (VmHWM) and wall time per round;
// nothing about speed is asserted.
using System.Globalization;
using FedSpine.Deploy.Wire;
using Xunit.Abstractions;

namespace FedSpine.Deploy.Tests;

public sealed class LoadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_hundred_devices_complete_three_rounds()
    {
        const int devices = 200;
        string folder = Loopback.TempFolder("load");
        string model = TinyDeployment.SaveTinyModel(folder);
        string tokens = Path.Combine(folder, "tokens.txt");
        string url = $"http://127.0.0.1:{Loopback.FreePort()}";
        using var server = new FedspineProcess("server", "--urls", url, "--model", model, "--task", "classify", "--labels", "negative,positive",
            "--devices", $"{devices} agx", "--expect-devices", $"{devices}", "--rounds", "3", "--local-steps", "1", "--tokens", tokens,
            "--out", Path.Combine(folder, "run"), "--linger", "10", "--round-timeout", "60");
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!File.Exists(tokens))
        {
            Assert.True(DateTime.UtcNow < until && !server.HasExited, server.Output);
            await Task.Delay(50);
        }
        var lines = File.ReadAllLines(tokens).Select(l => l.Split(' ')).ToArray();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 }) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        using var statusHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (Loopback.Status(statusHttp, url) is null)
        {
            Assert.True(DateTime.UtcNow < until && !server.HasExited, server.Output);
            await Task.Delay(50);
        }
        long peakKb = 0;
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peakKb = Math.Max(peakKb, PeakKb(server.Id));
                await Task.Delay(100);
            }
        });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var clients = lines.Select(p => new EchoDevice(http, int.Parse(p[0], CultureInfo.InvariantCulture), p[1]))
            .Select(c => Task.Run(c.RunUntilFinished)).ToArray();
        var answered = await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(90));
        double total = watch.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await watcher;
        Assert.All(answered, a => Assert.Equal(3, a));
        Assert.Equal(0, server.WaitForExit(TimeSpan.FromSeconds(30)));
        var rounds = System.Text.RegularExpressions.Regex.Matches(server.Output, @"round \d+/3: .*? wall ([0-9.]+) s")
            .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
        output.WriteLine($"{devices} devices, 3 rounds in {total:0.00} s; server peak RSS {peakKb / 1024.0:0.0} MiB; " +
                         $"round wall times {string.Join(", ", rounds.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))} s");
        Console.WriteLine($"LOAD: {devices} devices, peak RSS {peakKb / 1024.0:0.0} MiB, rounds {string.Join(", ", rounds.Select(r => r.ToString("0.00", CultureInfo.InvariantCulture)))} s");
    }

    private static long PeakKb(int pid)
    {
        try
        {
            string? line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
