// `fedspine server` refuses contradictory transport settings before anything is written: https without --cert, --cert with
// only http URLs, a missing certificate file, and plain http on a non-loopback bind unless --insecure-http is given.
using FedSpine.Deploy.Server;

namespace FedSpine.Deploy.Tests;

public sealed class ServerOptionsTests
{
    [Theory]
    [InlineData("http://0.0.0.0:5000", "clear text")]
    [InlineData("http://*:5000", "clear text")]
    [InlineData("http://192.168.1.20:5000", "clear text")]
    [InlineData("http://[::]:5000", "clear text")]
    [InlineData("https://0.0.0.0:5001", "give --cert")]
    [InlineData("ftp://127.0.0.1:5000", "not an http")]
    public void Bad_urls_are_refused_naming_the_url(string url, string says)
    {
        var error = Assert.Throws<ArgumentException>(() => new ServerOptions { Urls = url }.Validate());
        Assert.StartsWith("--urls: '" + url + "'", error.Message, StringComparison.Ordinal);
        Assert.Contains(says, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000")]
    [InlineData("http://localhost:5000")]
    [InlineData("http://[::1]:5000")]
    public void Plain_http_on_loopback_is_fine(string url) => new ServerOptions { Urls = url }.Validate();

    [Fact]
    public void Insecure_http_must_be_asked_for()
    {
        new ServerOptions { Urls = "http://0.0.0.0:5000", AllowInsecureHttp = true }.Validate();
    }

    [Fact]
    public void A_certificate_with_only_http_urls_is_refused()
    {
        string cert = Path.Combine(Loopback.TempFolder("cert"), "server.pfx");
        File.WriteAllBytes(cert, [1]);
        var error = Assert.Throws<ArgumentException>(() => new ServerOptions { Urls = "http://127.0.0.1:5000", CertificatePath = cert }.Validate());
        Assert.StartsWith("--cert: given, but no --urls entry is https://", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_certificate_file_is_refused_before_start()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new ServerOptions { Urls = "https://127.0.0.1:5001", CertificatePath = "/nonexistent/server.pfx" }.Validate());
        Assert.Equal("--cert: certificate '/nonexistent/server.pfx' not found", error.Message);
    }
}
