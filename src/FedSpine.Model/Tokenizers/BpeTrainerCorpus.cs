// Pre-tokenization for BPE training, normalised as HfTokenizer does (a leading "▁", spaces → "▁"): each "▁" starts a
// new word, and words split where the character class changes, as SentencePiece splits by script and number; counted.
using System.Globalization;
using System.Runtime.InteropServices;

namespace FedSpine.Model.Tokenizers;

internal sealed class BpeTrainerCorpus
{
    private const char Space = '▁';

    private readonly Dictionary<string, long> _wordCounts = new(StringComparer.Ordinal);

    private enum CharClass
    {
        LineBreak,
        Letter,
        Digit,
        Other, // punctuation, symbols, emoji (both halves of a surrogate pair)
    }

    /// <summary>How often each word occurs, over all documents added.</summary>
    public IReadOnlyDictionary<string, long> WordCounts => _wordCounts;

    /// <summary>Counts the words of one document: "▁" joins the word after it; letters, digits, line breaks and other
    /// characters never share a word, so no learned merge mixes them or crosses a word start.</summary>
    public void Add(string document)
    {
        if (document.Length == 0)
        {
            return;
        }
        string text = Space + document.Replace(' ', Space);
        var lookup = _wordCounts.GetAlternateLookup<ReadOnlySpan<char>>();
        int start = 0;
        for (int i = 1; i <= text.Length; i++)
        {
            bool boundary = i == text.Length || text[i] == Space
                || (text[i - 1] == Space ? Class(text[i]) == CharClass.LineBreak : Class(text[i - 1]) != Class(text[i]));
            if (boundary)
            {
                CollectionsMarshal.GetValueRefOrAddDefault(lookup, text.AsSpan(start, i - start), out _)++;
                start = i;
            }
        }
    }

    private static CharClass Class(char c) => c switch
    {
        '\n' or '\r' => CharClass.LineBreak,
        _ when char.IsDigit(c) => CharClass.Digit,
        _ when char.IsLetter(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
            => CharClass.Letter,
        _ => CharClass.Other,
    };
}
