// `fedspine server` refuses contradictory transport flags in one line before anything is written: no run folder and no
// tokens file, so the corrected command does not then fail with "already holds a run".
namespace FedSpine.Cli.Tests;

public sealed class ServerTransportCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fedspine-server-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("https://127.0.0.1:5001", null, "--urls", "give --cert")]
    [InlineData("http://127.0.0.1:5000", "server.pfx", "--cert", "no --urls entry is https")]
    [InlineData("http://0.0.0.0:5000", null, "--urls", "--insecure-http")]
    public void Contradictory_transport_flags_are_refused_before_anything_is_written(string url, string? cert, string flag, string says)
    {
        string run = Path.Combine(_dir, "run");
        string tokens = Path.Combine(_dir, "tokens.txt");
        var args = new List<string> { "server", "--urls", url, "--out", run, "--expect-devices", "2", "--tokens", tokens, "--labels", "a,b" };
        if (cert is not null)
        {
            string path = Path.Combine(_dir, cert);
            File.WriteAllBytes(path, [1]);
            args.AddRange(["--cert", path]);
        }
        var result = CliRunner.Run([.. args]);
        Assert.Equal(1, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one line on stderr, got:\n" + result.Stderr);
        Assert.StartsWith("error: " + flag, lines[0], StringComparison.Ordinal);
        Assert.Contains(says, lines[0], StringComparison.Ordinal);
        Assert.False(Directory.Exists(run), "the run folder was created");
        Assert.False(File.Exists(tokens), "the tokens file was created");
    }
}
