// The device's HTTP side: every request carries its bearer token; connection failures, timeouts and 502/503/504 are
// retried with exponential backoff (0.2 s doubling to 5 s, with jitter) until the server has been away for GiveUp; a 4xx
// answer comes back to the caller with the server's one-line message.
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using FedSpine.Deploy.Wire;
using FedSpine.Tensors;

namespace FedSpine.Deploy.Agent;

public sealed record Reply(HttpStatusCode Status, string? ContentType, byte[] Body, double Seconds)
{
    public bool Ok => (int)Status is >= 200 and < 300;
    public string Text => Encoding.UTF8.GetString(Body);

    /// <summary>The server's {"error": ...} message, or the raw text.</summary>
    public string Error
    {
        get
        {
            try
            {
                return System.Text.Json.JsonSerializer.Deserialize<ErrorBody>(Body)?.Error ?? Text;
            }
            catch (System.Text.Json.JsonException)
            {
                return Text;
            }
        }
    }
}

public sealed class DeviceClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly TimeSpan _giveUp;
    private readonly Action<string> _log;
    private readonly Rng _jitter;

    public DeviceClient(AgentOptions options, Action<string> log)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10), PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) };
        if (options.TrustCertificatePath is string pinned)
        {
            var trusted = X509CertificateLoader.LoadCertificateFromFile(pinned);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                errors == System.Net.Security.SslPolicyErrors.None || (cert is not null && cert.GetCertHashString() == trusted.GetCertHashString());
        }
        _http = new HttpClient(handler) { BaseAddress = options.Server, Timeout = options.PollWait + TimeSpan.FromSeconds(60) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        _giveUp = options.GiveUp;
        _log = log;
        _jitter = new Rng((ulong)options.Id * 7919UL + (ulong)Environment.ProcessId);
    }

    public Task<Reply> Get(string path, CancellationToken cancel) => Send(() => new HttpRequestMessage(HttpMethod.Get, path), cancel);

    public Task<Reply> Post(string path, byte[] body, string contentType, CancellationToken cancel) => Send(() =>
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    }, cancel);

    public Task<Reply> PostJson<T>(string path, T value, CancellationToken cancel) =>
        Post(path, Encoding.UTF8.GetBytes(WireJson.Serialize(value)), "application/json", cancel);

    private async Task<Reply> Send(Func<HttpRequestMessage> request, CancellationToken cancel)
    {
        DateTime? awaySince = null;
        double delay = 0.2;
        while (true)
        {
            string problem;
            try
            {
                using var message = request();
                using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false);
                var watch = System.Diagnostics.Stopwatch.StartNew();
                byte[] body = await response.Content.ReadAsByteArrayAsync(cancel).ConfigureAwait(false);
                if (response.StatusCode is not (HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout))
                {
                    if (awaySince is not null)
                    {
                        _log($"server reachable again after {(DateTime.UtcNow - awaySince.Value).TotalSeconds:0.0} s");
                    }
                    return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, watch.Elapsed.TotalSeconds);
                }
                problem = $"{(int)response.StatusCode} {response.ReasonPhrase}";
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.SecureConnectionError)
            {
                // Not an outage: retrying cannot fix a certificate the device does not trust.
                throw new IOException($"server {_http.BaseAddress}: TLS handshake failed ({e.InnerException?.Message ?? e.Message}); the server's " +
                                      "certificate is not trusted or does not match the URL's host; pin it with --trust-cert FILE or fix --server");
            }
            catch (HttpRequestException e)
            {
                problem = e.Message;
            }
            catch (TaskCanceledException) when (!cancel.IsCancellationRequested)
            {
                problem = "request timed out";
            }
            catch (IOException e)
            {
                problem = e.Message;
            }
            awaySince ??= DateTime.UtcNow;
            if (DateTime.UtcNow - awaySince.Value > _giveUp)
            {
                throw new IOException($"server {_http.BaseAddress} unreachable for {_giveUp.TotalSeconds:0} s ({problem}); giving up");
            }
            if (delay <= 0.2)
            {
                _log($"server unreachable ({problem}); retrying with backoff");
            }
            await Task.Delay(TimeSpan.FromSeconds(delay * (0.75 + 0.5 * _jitter.NextDouble())), cancel).ConfigureAwait(false);
            delay = Math.Min(5, delay * 2);
        }
    }

    public void Dispose() => _http.Dispose();
}
