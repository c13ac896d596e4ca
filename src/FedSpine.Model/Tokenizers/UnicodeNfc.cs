// Unicode NFC (canonical decomposition, canonical ordering, canonical composition) in managed code, for tokenizer.json
// normalizers: the project runs with InvariantGlobalization, where string.Normalize leaves non-ASCII text unchanged.
using System.Globalization;
using System.Text;

namespace FedSpine.Model.Tokenizers;

internal static class UnicodeNfc
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    private static readonly Lazy<Tables> Data = new(Load);

    /// <summary>text in Normalization Form C. Text below U+0300 is returned as it is (it is always NFC).</summary>
    public static string Normalize(string text)
    {
        if (!text.AsSpan().ContainsAnyExceptInRange('\0', '\u02FF'))
        {
            return text;
        }
        var tables = Data.Value;
        var buffer = new List<int>(text.Length + 8); // code points, decomposed then composed in place
        foreach (var rune in text.EnumerateRunes())
        {
            Decompose(rune.Value, tables, buffer);
        }
        Reorder(buffer, tables);
        Compose(buffer, tables);
        var result = new StringBuilder(buffer.Count);
        foreach (int cp in buffer)
        {
            result.Append(new Rune(cp).ToString());
        }
        return result.ToString();
    }

    private static void Decompose(int cp, Tables tables, List<int> output)
    {
        int s = cp - SBase;
        if (s >= 0 && s < SCount)
        {
            output.Add(LBase + (s / NCount));
            output.Add(VBase + (s % NCount / TCount));
            if (s % TCount != 0)
            {
                output.Add(TBase + (s % TCount));
            }
            return;
        }
        if (tables.Decompositions.TryGetValue(cp, out var parts))
        {
            output.AddRange(parts);
            return;
        }
        output.Add(cp);
    }

    /// <summary>Canonical ordering: each run of non-starters stably sorted by combining class.</summary>
    private static void Reorder(List<int> cps, Tables tables)
    {
        for (int i = 1; i < cps.Count; i++)
        {
            int cc = Class(cps[i], tables);
            for (int j = i; cc != 0 && j > 0 && Class(cps[j - 1], tables) > cc; j--)
            {
                (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]);
            }
        }
    }

    /// <summary>Canonical composition: each character joins the last starter when nothing between blocks it.</summary>
    private static void Compose(List<int> cps, Tables tables)
    {
        if (cps.Count == 0)
        {
            return;
        }
        int starterPos = 0;
        int lastClass = Class(cps[0], tables) == 0 ? 0 : 256; // a leading non-starter blocks everything after it
        int write = 1;
        for (int read = 1; read < cps.Count; read++)
        {
            int cp = cps[read];
            int cc = Class(cp, tables);
            if ((lastClass < cc || lastClass == 0) && Composite(cps[starterPos], cp, tables) is int composite)
            {
                cps[starterPos] = composite;
                continue;
            }
            if (cc == 0)
            {
                starterPos = write;
            }
            lastClass = cc;
            cps[write++] = cp;
        }
        cps.RemoveRange(write, cps.Count - write);
    }

    private static int? Composite(int first, int second, Tables tables)
    {
        int l = first - LBase, v = second - VBase;
        if (l >= 0 && l < LCount && v >= 0 && v < VCount)
        {
            return SBase + (((l * VCount) + v) * TCount);
        }
        int s = first - SBase, t = second - TBase;
        if (s >= 0 && s < SCount && s % TCount == 0 && t > 0 && t < TCount)
        {
            return first + t;
        }
        return tables.Composites.TryGetValue(((long)first << 21) | (uint)second, out int c) ? c : null;
    }

    private static int Class(int cp, Tables tables) => tables.Classes.TryGetValue(cp, out byte c) ? c : 0;

    private sealed record Tables(Dictionary<int, int[]> Decompositions, Dictionary<int, byte> Classes, Dictionary<long, int> Composites);

    private static Tables Load()
    {
        static int Hex(string s) => int.Parse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        var decompositions = new Dictionary<int, int[]>();
        foreach (string entry in UnicodeNfcTable.Decompositions.Split(';'))
        {
            var (key, value) = (entry[..entry.IndexOf(':', StringComparison.Ordinal)], entry[(entry.IndexOf(':', StringComparison.Ordinal) + 1)..]);
            decompositions[Hex(key)] = value.Split(' ').Select(Hex).ToArray();
        }
        var classes = new Dictionary<int, byte>();
        foreach (string entry in UnicodeNfcTable.CombiningClasses.Split(';'))
        {
            var parts = entry.Split('-', ':');
            for (int cp = Hex(parts[0]); cp <= Hex(parts[1]); cp++)
            {
                classes[cp] = byte.Parse(parts[2], CultureInfo.InvariantCulture);
            }
        }
        var composites = new Dictionary<long, int>();
        foreach (string entry in UnicodeNfcTable.Composites.Split(';'))
        {
            var parts = entry.Split(' ', ':');
            composites[((long)Hex(parts[0]) << 21) | (uint)Hex(parts[1])] = Hex(parts[2]);
        }
        return new Tables(decompositions, classes, composites);
    }
}
