// TLS end to end on loopback: a self-signed certificate made here (.pfx for the server, .cer pinned by the devices),
// `fedspine server --urls https://... --cert` and two `fedspine device --trust-cert` processes finish a short run;
// a client that does not trust the certificate cannot even reach /status, and a device without the pin exits at once
// naming the TLS failure (not "server unreachable" for its whole --give-up time).
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FedSpine.Federated.Runs;

namespace FedSpine.Deploy.Tests;

public sealed class HttpsDeploymentTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [SharedDataFact]
    public void A_run_over_https_with_a_pinned_self_signed_certificate_completes()
    {
        string folder = Loopback.TempFolder("https");
        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
            File.WriteAllBytes(Path.Combine(folder, "server.pfx"), cert.Export(X509ContentType.Pfx));
            File.WriteAllBytes(Path.Combine(folder, "server.cer"), cert.Export(X509ContentType.Cert));
        }
        var config = new RunConfig
        {
            Model = SharedData.Stories260K, Tokenizer = SharedData.Tok512, Task = "sentiment",
            Data = SharedData.File("data/vader/movieReviewSnippets_GroundTruth.txt"), Devices = "1 tx2, 1 agx",
            Rounds = 2, LocalSteps = 2, Batch = 4, MaxTokens = 24, EvalExamples = 16, SaveModels = false, Methods = ["fedspine"],
        };
        var (configPath, parts) = FedspineProcess.WriteConfigAndPartition(folder, config, 2, Limit);
        string url = $"https://127.0.0.1:{Loopback.FreePort()}";
        string run = Path.Combine(folder, "run");
        string tokens = Path.Combine(folder, "tokens.txt");
        using var server = new FedspineProcess("server", "--urls", url, "--cert", Path.Combine(folder, "server.pfx"), "--config", configPath,
            "--out", run, "--expect-devices", "2", "--tokens", tokens, "--linger", "3");
        var until = DateTime.UtcNow + Limit;
        while (!File.Exists(tokens) && DateTime.UtcNow < until && !server.HasExited)
        {
            Thread.Sleep(50);
        }
        Assert.True(File.Exists(tokens), server.Output);
        using (var untrusting = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
        {
            Thread.Sleep(500);
            Assert.ThrowsAny<HttpRequestException>(() => untrusting.GetAsync(url + "/status").GetAwaiter().GetResult());
        }
        var tokenOf = File.ReadAllLines(tokens).Select(l => l.Split(' ')).ToDictionary(p => int.Parse(p[0]), p => p[1]);
        using (var untrustingDevice = new FedspineProcess("device", "--server", url, "--id", "0", "--token", tokenOf[0], "--model", config.Model,
                   "--tokenizer", config.Tokenizer!, "--data", Path.Combine(parts, "device-0.jsonl"), "--give-up", "60"))
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Assert.Equal(1, untrustingDevice.WaitForExit(TimeSpan.FromSeconds(30)));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30));
            Assert.Contains("TLS handshake failed", untrustingDevice.Output, StringComparison.Ordinal);
        }
        var devices = Enumerable.Range(0, 2).Select(i => new FedspineProcess("device", "--server", url, "--id", $"{i}", "--token", tokenOf[i],
            "--model", config.Model, "--tokenizer", config.Tokenizer!, "--data", Path.Combine(parts, $"device-{i}.jsonl"),
            "--trust-cert", Path.Combine(folder, "server.cer"), "--give-up", "60")).ToList();
        try
        {
            Assert.True(server.WaitForExit(Limit) == 0, server.Output);
            foreach (var d in devices)
            {
                Assert.True(d.WaitForExit(Limit) == 0, d.Output);
            }
            var lines = File.ReadAllLines(Path.Combine(run, "metrics.jsonl"));
            Assert.Equal(2 * 2, lines.Length);
            Assert.All(lines, l => Assert.Contains("\"status\":\"ok\"", l, StringComparison.Ordinal));
        }
        finally
        {
            devices.ForEach(d => d.Dispose());
        }
    }
}
