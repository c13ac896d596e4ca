// How `fedspine server` listens and waits: address(es), optional TLS certificate, the wall-clock round timeout, how long
// to wait for devices before the first round, how long to stay up after the run so devices hear it is over, log format.
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

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Urls))
        {
            throw new ArgumentException("--urls: give at least one URL, e.g. http://127.0.0.1:5000");
        }
        foreach (string url in Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new ArgumentException($"--urls: '{url}' is not an http:// or https:// URL");
            }
            if (uri.Scheme == "https" && CertificatePath is null)
            {
                throw new ArgumentException($"--urls: '{url}' is https; give --cert (a .pfx, or a PEM certificate with --cert-key)");
            }
        }
        if (RoundTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"--round-timeout: must be positive (got {RoundTimeout.TotalSeconds} s)");
        }
    }
}
