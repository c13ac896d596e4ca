// The tokens file as a secret: created exclusively with mode 0600 from the first byte, never through a symlink planted at
// its path (the planted target stays empty), never replacing a file, and an existing file that group or others can read
// is refused with the chmod that fixes it.
using FedSpine.Deploy.Server;

namespace FedSpine.Deploy.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TokenFileTests
{
    private static readonly UnixFileMode Shared = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                                  UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public void A_new_tokens_file_is_owner_only_and_loads_back()
    {
        string path = Path.Combine(Loopback.TempFolder("tokens"), "tokens.txt");
        var created = TokenTable.LoadOrCreate(path, 3);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(created.Tokens, TokenTable.Load(path, 3).Tokens);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.partial"));
    }

    [Fact]
    public void A_symlink_planted_at_the_tokens_path_is_not_followed()
    {
        string folder = Loopback.TempFolder("tokens-symlink");
        string stolen = Path.Combine(folder, "attacker-readable.txt");
        string path = Path.Combine(folder, "tokens.txt");
        File.CreateSymbolicLink(path, stolen);   // dangling: LoadOrCreate would have created the target
        var error = Assert.Throws<InvalidDataException>(() => TokenTable.LoadOrCreate(path, 2));
        Assert.Contains("symbolic link", error.Message, StringComparison.Ordinal);
        Assert.StartsWith(path, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(stolen), "the tokens were written through the planted link");

        File.WriteAllText(stolen, "");   // a link to an existing file is refused as well, and the file stays empty
        Assert.Throws<InvalidDataException>(() => TokenTable.LoadOrCreate(path, 2));
        Assert.Equal("", File.ReadAllText(stolen));
    }

    [Fact]
    public void The_old_temporary_name_planted_as_a_symlink_catches_nothing()
    {
        string folder = Loopback.TempFolder("tokens-partial");
        string stolen = Path.Combine(folder, "attacker-readable.txt");
        string path = Path.Combine(folder, "tokens.txt");
        File.CreateSymbolicLink(path + ".partial", stolen);
        var table = TokenTable.LoadOrCreate(path, 2);
        Assert.False(File.Exists(stolen), "tokens reached the planted link");
        Assert.Equal(table.Tokens, TokenTable.Load(path, 2).Tokens);
        Assert.Null(new FileInfo(path).LinkTarget);
    }

    [Theory]
    [InlineData(UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.OtherWrite)]
    public void An_existing_tokens_file_open_to_others_is_refused(UnixFileMode extra)
    {
        string path = Path.Combine(Loopback.TempFolder("tokens-mode"), "tokens.txt");
        TokenTable.LoadOrCreate(path, 2);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | extra);
        var error = Assert.Throws<InvalidDataException>(() => TokenTable.LoadOrCreate(path, 2));
        Assert.Contains("chmod 600", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => TokenTable.Load(path, 2));
        Assert.NotEqual((UnixFileMode)0, extra & Shared);
    }
}
