// Loopback helpers for deployment tests: a free TCP port on 127.0.0.1, the server's /status as JSON, temporary folders,
// and safetensors tensors by name (to compare checkpoints bit for bit).
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace FedSpine.Deploy.Tests;

internal static class Loopback
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string TempFolder(string name)
    {
        string folder = Path.Combine(Path.GetTempPath(), "fedspine-deploy-tests", $"{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>GET /status, or null while the server is not answering.</summary>
    public static JsonElement? Status(HttpClient http, string baseUrl)
    {
        try
        {
            using var response = http.GetAsync(baseUrl + "/status").GetAwaiter().GetResult();
            return response.IsSuccessStatusCode ? JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult()).RootElement.Clone() : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)   // refused, or too slow to answer on a loaded machine
        {
            return null;
        }
    }

    /// <summary>Raw data bytes of every tensor in a safetensors file whose name starts with one of the prefixes.</summary>
    public static Dictionary<string, byte[]> Tensors(string path, params string[] prefixes)
    {
        byte[] all = File.ReadAllBytes(path);
        long headerLength = BitConverter.ToInt64(all, 0);
        using var header = JsonDocument.Parse(all.AsMemory(8, (int)headerLength));
        int start = 8 + (int)headerLength;
        var result = new Dictionary<string, byte[]>();
        foreach (var p in header.RootElement.EnumerateObject())
        {
            if (p.Name == "__metadata__" || !prefixes.Any(x => p.Name.StartsWith(x, StringComparison.Ordinal)))
            {
                continue;
            }
            var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            result[p.Name] = all[(start + offsets[0])..(start + offsets[1])];
        }
        return result;
    }

    public static string WithoutWallTime(string line) => System.Text.RegularExpressions.Regex.Replace(line, "\"wall_s\":[^,}]*", "\"wall_s\":0");
}
