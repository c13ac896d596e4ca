// The server's connection limits in effect, over raw sockets on loopback: a refused upload that declares 500 MB is
// answered and its connection closed without the rest of the body being read; a client that never finishes its headers is cut off
// after the header timeout; connections beyond the limit are not served while the admitted ones still are.
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using FedSpine.Deploy.Wire;

namespace FedSpine.Deploy.Tests;

public sealed class KestrelLimitTests
{
    [Fact]
    public async Task A_refused_500_MB_upload_is_answered_and_closed_without_reading_the_body()
    {
        await using var d = await TinyDeployment.StartAsync(devices: 1, rounds: 1, roundTimeout: TimeSpan.FromSeconds(30));
        using var client = await Connect(d);
        var stream = client.GetStream();
        const long declared = 500_000_000;
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {Routes.Report(0, 1)} HTTP/1.1\r\nHost: localhost\r\n" +
            $"Authorization: Bearer {new string('0', 32)}\r\nContent-Length: {declared}\r\n\r\n"));
        await stream.WriteAsync(new byte[64 * 1024]);   // the first 64 KB of the body
        var buffer = new byte[8192];
        int n = await stream.ReadAsync(buffer);
        string response = Encoding.ASCII.GetString(buffer, 0, n);
        Assert.StartsWith("HTTP/1.1 401", response, StringComparison.Ordinal);
        Assert.Contains("Connection: close", response, StringComparison.OrdinalIgnoreCase);

        // The client goes on sending the rest of its 500 MB as fast as loopback allows: a draining server would take it
        // all (it did: 500 MB in 1.4 s); this one closed the connection, so writing fails within the socket buffers.
        long written = 64 * 1024;
        var chunk = new byte[1 << 20];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            while (written < declared)
            {
                await stream.WriteAsync(chunk, limit.Token);
                written += chunk.Length;
            }
        });
        Assert.True(written < 16_000_000, $"the server took {written / 1e6:0.0} MB of a body it had refused");
    }

    [Fact]
    public async Task A_client_that_never_finishes_its_headers_is_cut_off()
    {
        await using var d = await TinyDeployment.StartAsync(devices: 1, rounds: 1, roundTimeout: TimeSpan.FromSeconds(30),
            adjust: o => o with { HeaderTimeout = TimeSpan.FromSeconds(1) });
        using var client = await Connect(d);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {Routes.Status} HTTP/1.1\r\nHost: localhost\r\n"));   // no blank line

        var watch = Stopwatch.StartNew();
        await ReadUntilClosed(stream, TimeSpan.FromSeconds(15));
        // Kestrel checks its timeouts on a 1 s heartbeat: cut off within a few seconds of the 1 s limit, not 15 s.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"cut off only after {watch.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task Connections_beyond_the_limit_are_not_served()
    {
        await using var d = await TinyDeployment.StartAsync(devices: 1, rounds: 1, roundTimeout: TimeSpan.FromSeconds(30),
            adjust: o => o with { MaxConnections = 2 });
        using var first = await Connect(d);
        using var second = await Connect(d);
        Assert.StartsWith("HTTP/1.1 200", await Status(first), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", await Status(second), StringComparison.Ordinal);

        using var third = await Connect(d);
        string refused;
        try
        {
            refused = await Status(third);
        }
        catch (IOException)
        {
            refused = "";   // reset by the server
        }
        Assert.DoesNotContain("200 OK", refused, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200", await Status(first), StringComparison.Ordinal);   // the admitted ones still work
    }

    private static async Task<TcpClient> Connect(TinyDeployment d)
    {
        var uri = new Uri(d.BaseUrl);
        var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        return client;
    }

    /// <summary>One keep-alive GET /status on the connection; its response head and body, or "" when the server closes it.</summary>
    private static async Task<string> Status(TcpClient client)
    {
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {Routes.Status} HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        var buffer = new byte[64 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            int n = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, n);
        }
        catch (OperationCanceledException)
        {
            return "";   // no answer at all
        }
    }

    /// <summary>Everything the server sends until it closes the connection (fails the test if it stays open past limit).</summary>
    private static async Task<string> ReadUntilClosed(NetworkStream stream, TimeSpan limit)
    {
        var text = new StringBuilder();
        var buffer = new byte[8192];
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            while (true)
            {
                int n = await stream.ReadAsync(buffer, timeout.Token);
                if (n == 0)
                {
                    return text.ToString();
                }
                text.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }
        }
        catch (IOException)
        {
            return text.ToString();   // closed by a reset
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the server kept the connection open for {limit.TotalSeconds} s; it had sent: {text}");
            throw;
        }
    }
}
