// A tokenizer.json Split regex (written for Oniguruma, which matches code points) run on .NET's Regex (which matches
// UTF-16 units): each supplementary character is matched as one BMP stand-in of the same class (letter, number, other).
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace FedSpine.Model.Tokenizers;

internal sealed class HfSplitRegex
{
    /// <summary>GPT-2's pattern, which ByteLevel applies when its use_regex is true.</summary>
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly Regex _regex;

    public HfSplitRegex(string pattern, string source)
    {
        Pattern = pattern;
        try
        {
            _regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{source}: Split regex '{pattern}' does not compile in .NET ({e.Message})", e);
        }
    }

    public string Pattern { get; }

    /// <summary>The pieces of text under the Isolated behaviour: every match, and every stretch between matches.</summary>
    public void SplitIsolated(string text, List<string> pieces)
    {
        var (units, starts) = StandIns(text);
        int last = 0; // in units
        foreach (Match m in _regex.Matches(units))
        {
            if (m.Length == 0)
            {
                continue;
            }
            if (m.Index > last)
            {
                pieces.Add(text[starts[last]..starts[m.Index]]);
            }
            pieces.Add(text[starts[m.Index]..starts[m.Index + m.Length]]);
            last = m.Index + m.Length;
        }
        if (last < units.Length)
        {
            pieces.Add(text[starts[last]..]);
        }
    }

    /// <summary>text with each surrogate pair replaced by one stand-in, and where each stand-in unit starts in text
    /// (one entry more than units, the last being text.Length).</summary>
    private static (string Units, int[] Starts) StandIns(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            return (text, Enumerable.Range(0, text.Length + 1).ToArray());
        }
        var units = new StringBuilder(text.Length);
        var starts = new List<int>(text.Length + 1);
        for (int i = 0; i < text.Length;)
        {
            starts.Add(i);
            if (Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out int used) == System.Buffers.OperationStatus.Done && used == 2)
            {
                units.Append(Rune.GetUnicodeCategory(rune) switch
                {
                    >= UnicodeCategory.UppercaseLetter and <= UnicodeCategory.OtherLetter => 'x',
                    >= UnicodeCategory.DecimalDigitNumber and <= UnicodeCategory.OtherNumber => '0',
                    _ => '\uE000', // private use: not a letter, number or space, as symbols and marks are
                });
            }
            else
            {
                units.Append(text[i]); // BMP character, or a lone surrogate kept as it is
                used = 1;
            }
            i += used;
        }
        starts.Add(text.Length);
        return (units.ToString(), starts.ToArray());
    }
}
