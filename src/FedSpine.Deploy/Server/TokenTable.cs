// Per-device bearer tokens: a text file of "device-id token" lines (ids 0..N-1), created with random 32-hex-digit tokens
// (owner-only permissions) when absent, read and checked when present. Lookups compare in constant time.
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

    public static TokenTable LoadOrCreate(string path, int devices)
    {
        if (File.Exists(path))
        {
            return Load(path, devices);
        }
        var tokens = Enumerable.Range(0, devices).Select(_ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))).ToArray();
        string temporary = path + ".partial";
        File.WriteAllText(temporary, "");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.WriteAllLines(temporary, tokens.Select((t, i) => string.Create(CultureInfo.InvariantCulture, $"{i} {t}")));
        File.Move(temporary, path);
        return new TokenTable(tokens);
    }

    public static TokenTable Load(string path, int devices)
    {
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
