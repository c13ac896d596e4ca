// Per-device bearer tokens: a text file of "device-id token" lines (ids 0..N-1), created when absent with random 32-hex-digit
// tokens (exclusive create, mode 0600 from the first byte, no symlink followed), read and checked when present (a symlink
// or a file group/others may access is refused). Lookups compare in constant time.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FedSpine.Deploy.Server;

public sealed class TokenTable
{
    private readonly byte[][] _tokens;

    private TokenTable(string[] tokens)
    {
        Tokens = tokens;
        _tokens = tokens.Select(t => Encoding.UTF8.GetBytes(t)).ToArray();
    }

    /// <summary>Token of device i at index i.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>Loads the tokens file, or creates it when absent: a new file is made with exclusive create and owner-only
    /// permissions from its first byte (under a random temporary name, then moved into place without replacing anything),
    /// so a symlink planted at the path or at a guessable temporary name is never followed.</summary>
    public static TokenTable LoadOrCreate(string path, int devices)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            throw new InvalidDataException($"{path}: the tokens file is a symbolic link (to {info.LinkTarget}); refusing to read or write tokens through it");
        }
        if (info.Exists)
        {
            return Load(path, devices);
        }
        var tokens = Enumerable.Range(0, devices).Select(_ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))).ToArray();
        string temporary = $"{path}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.partial";
        var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            using (var stream = new FileStream(temporary, create))
            using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
            {
                foreach (var (token, i) in tokens.Select((t, i) => (t, i)))
                {
                    writer.Write(string.Create(CultureInfo.InvariantCulture, $"{i} {token}\n"));
                }
            }
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException e)
        {
            File.Delete(temporary);
            throw new InvalidDataException($"{path}: cannot create the tokens file: {e.Message}", e);
        }
        return new TokenTable(tokens);
    }

    /// <summary>Reads an existing tokens file; a symbolic link, or a file that group or others may read or write, is refused.</summary>
    public static TokenTable Load(string path, int devices)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            throw new InvalidDataException($"{path}: the tokens file is a symbolic link (to {info.LinkTarget}); refusing to read tokens through it");
        }
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{path}: tokens file not found");
        }
        const UnixFileMode Shared = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                    UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        if (!OperatingSystem.IsWindows() && (info.UnixFileMode & Shared) != 0)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{path}: the tokens file is open to group or others (mode {Convert.ToString((int)info.UnixFileMode, 8)}); restrict it with: chmod 600 {path}"));
        }
        var tokens = new string?[devices];
        int lineNumber = 0;
        foreach (string raw in File.ReadLines(path))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            string[] parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int id))
            {
                throw new InvalidDataException($"{path}:{lineNumber}: expected 'device-id token'");
            }
            if (id >= devices)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: device {id} is outside the run's {devices} devices (0..{devices - 1})");
            }
            if (parts[1].Length < 16)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: the token of device {id} is shorter than 16 characters");
            }
            if (tokens[id] is not null)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: device {id} is listed twice");
            }
            tokens[id] = parts[1];
        }
        int missing = Array.IndexOf(tokens, null);
        if (missing >= 0)
        {
            throw new InvalidDataException($"{path}: no token for device {missing} (the run expects {devices} devices)");
        }
        if (tokens.Distinct(StringComparer.Ordinal).Count() != devices)
        {
            throw new InvalidDataException($"{path}: two devices share a token");
        }
        return new TokenTable(tokens!);
    }

    /// <summary>The device this token belongs to, or null.</summary>
    public int? DeviceOf(string token)
    {
        var given = Encoding.UTF8.GetBytes(token);
        int? found = null;
        for (int i = 0; i < _tokens.Length; i++)
        {
            if (CryptographicOperations.FixedTimeEquals(given, _tokens[i]))
            {
                found = i;
            }
        }
        return found;
    }
}
