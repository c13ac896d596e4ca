// How `fedspine server` listens and waits: address(es), TLS certificate, connection limits, the wall-clock round timeout,
// device wait, linger after the run, log format. Validate() refuses contradictions (https without --cert, --cert with only
// http, plain http off loopback without --insecure-http) before anything is written.
namespace FedSpine.Deploy.Server;

public sealed record ServerOptions
{
    /// <summary>Semicolon-separated URLs, e.g. http://127.0.0.1:5000 (port 0: any free port).</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5000";

    /// <summary>TLS certificate for https URLs: a .pfx/.p12 file, or a PEM certificate with CertificateKeyPath.</summary>
    public string? CertificatePath { get; init; }
    public string? CertificateKeyPath { get; init; }
    public string? CertificatePassword { get; init; }

    /// <summary>Real seconds a round waits for uploads before it goes on without the missing devices.</summary>
    public TimeSpan RoundTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Real seconds to wait for every expected device before the first round (then it starts with those seen).</summary>
    public TimeSpan DeviceWait { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long the server stays up after the last round so that polling devices learn the run is over.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Longest long-poll a device may ask for.</summary>
    public TimeSpan MaxPollWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Logs as JSON lines instead of one plain line per event.</summary>
    public bool JsonLogs { get; init; }

    /// <summary>Allows plain http:// on a non-loopback address (device tokens then cross the network in clear text).</summary>
    public bool AllowInsecureHttp { get; init; }

    /// <summary>Kestrel limits: open connections at once, time to receive a request's headers, and the slowest body upload
    /// (bytes per second after a 5 s grace) before the connection is dropped.</summary>
    public long MaxConnections { get; init; } = 1000;
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(15);
    public double MinBodyBytesPerSecond { get; init; } = 240;

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Urls))
        {
            throw new ArgumentException("--urls: give at least one URL, e.g. http://127.0.0.1:5000");
        }
        bool anyHttps = false;
        foreach (string url in Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel's wildcard hosts ("*", "+") are not URIs; read them as an any-address bind.
            string parsable = url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
            if (!Uri.TryCreate(parsable, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException($"--urls: '{url}' is not an http:// or https:// URL");
            }
            if (uri.Scheme == "https" && CertificatePath is null)
            {
                throw new ArgumentException($"--urls: '{url}' is https; give --cert (a .pfx, or a PEM certificate with --cert-key)");
            }
            if (uri.Scheme == "http" && !IsLoopback(uri) && !AllowInsecureHttp)
            {
                throw new ArgumentException($"--urls: '{url}' is plain http on a non-loopback address, so device tokens would cross the " +
                                            "network in clear text; use https:// with --cert, or pass --insecure-http to accept that");
            }
            anyHttps |= uri.Scheme == "https";
        }
        if (CertificatePath is not null && !anyHttps)
        {
            throw new ArgumentException($"--cert: given, but no --urls entry is https:// ('{Urls}'); the certificate would be ignored");
        }
        if (CertificatePath is not null && !File.Exists(CertificatePath))
        {
            throw new ArgumentException($"--cert: certificate '{CertificatePath}' not found");
        }
        if (CertificateKeyPath is not null && !File.Exists(CertificateKeyPath))
        {
            throw new ArgumentException($"--cert-key: key '{CertificateKeyPath}' not found");
        }
        if (MaxConnections < 1)
        {
            throw new ArgumentException($"--max-connections: must be at least 1 (got {MaxConnections})");
        }
        if (HeaderTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"--header-timeout: must be positive (got {HeaderTimeout.TotalSeconds} s)");
        }
        if (RoundTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"--round-timeout: must be positive (got {RoundTimeout.TotalSeconds} s)");
        }
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));
}
