// ROUGE-L F1 of a candidate against a reference: words are maximal runs of letters and digits, lowercased (everything
// else separates; as rouge_score's default tokenizer, without stemming); LCS by dynamic programming.
using System.Text;

namespace FedSpine.Model.Tasks;

public static class RougeL
{
    /// <summary>F1 = 2·P·R/(P+R) with P = LCS/|candidate|, R = LCS/|reference| (word counts); 0 when either has no words
    /// or they share none.</summary>
    public static double F1(string candidate, string reference)
    {
        var c = Words(candidate);
        var r = Words(reference);
        if (c.Count == 0 || r.Count == 0)
        {
            return 0;
        }
        int lcs = Lcs(c, r);
        if (lcs == 0)
        {
            return 0;
        }
        double precision = (double)lcs / c.Count, recall = (double)lcs / r.Count;
        return 2 * precision * recall / (precision + recall);
    }

    /// <summary>Mean F1 over pairs (NaN for none).</summary>
    public static double MeanF1(IReadOnlyList<(string Candidate, string Reference)> pairs) =>
        pairs.Count == 0 ? double.NaN : pairs.Average(p => F1(p.Candidate, p.Reference));

    /// <summary>The lowercased words of text (letters and digits; anything else splits).</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (char ch in text)
        {
            if (char.IsLetterOrDigit(ch))
            {
                word.Append(char.ToLowerInvariant(ch));
            }
            else if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }
        if (word.Length > 0)
        {
            words.Add(word.ToString());
        }
        return words;
    }

    /// <summary>Length of the longest common subsequence of two word lists (two rows of the DP table).</summary>
    public static int Lcs(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (int i = 1; i <= a.Count; i++)
        {
            for (int j = 1; j <= b.Count; j++)
            {
                current[j] = string.Equals(a[i - 1], b[j - 1], StringComparison.Ordinal)
                    ? previous[j - 1] + 1
                    : Math.Max(previous[j], current[j - 1]);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Count];
    }
}
