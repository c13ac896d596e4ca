// The instruct task's training split as pretraining text: each training record in the prompt template (instruction,
// optional context, response marker, response), records separated by a blank line. Training records that would carry a
// global test record's response into pretraining (Dolly holds duplicates) are left out, so no test response is pretrained on.
using System.Text;

namespace FedSpine.Model.Tasks;

public static class InstructPretrainText
{
    /// <summary>Test responses shorter than this (trimmed) are not matched inside training text: "Yes", "No" or a
    /// number occur everywhere; any training record whose response equals a test response is still left out.</summary>
    public const int MinMatchedChars = 24;

    /// <summary>The training records kept: those whose response is not a test response and whose text (instruction,
    /// context, response) contains no test response of at least MinMatchedChars characters.</summary>
    public static IReadOnlyList<InstructRecord> Kept(InstructDataset train, InstructDataset test)
    {
        var exact = test.Records.Select(r => r.Response.Trim()).ToHashSet(StringComparer.Ordinal);
        var longer = exact.Where(r => r.Length >= MinMatchedChars).ToList();
        return train.Records.Where(r => !exact.Contains(r.Response.Trim())
            && !longer.Any(t => r.Response.Contains(t, StringComparison.Ordinal) || r.Context.Contains(t, StringComparison.Ordinal)
                                || r.Instruction.Contains(t, StringComparison.Ordinal))).ToList();
    }

    /// <summary>Writes the kept training records as text (UTF-8, records separated by a blank line); returns how many.</summary>
    public static int Write(string path, InstructDataset train, InstructDataset test)
    {
        var kept = Kept(train, test);
        var sb = new StringBuilder();
        foreach (var r in kept)
        {
            sb.Append(InstructTemplate.Format(r)).Append("\n\n");
        }
        File.WriteAllText(path, sb.ToString(), new UTF8Encoding(false));
        return kept.Count;
    }
}
