// Records of a delimited text file, each with the line it starts on: CSV with RFC-4180 quoting (a quoted field may hold
// delimiters, doubled quotes and line breaks) or TSV as IANA defines it (no quoting: a field never holds a tab or line break).
using System.Text;

namespace FedSpine.Model.Tasks;

internal static class DelimitedRecords
{
    /// <summary>Every non-blank record of text (CR, LF or CRLF line ends). With quoting off a quote is an ordinary
    /// character; with it on, a quote inside an unquoted field is kept literally (as Python's csv module does).</summary>
    public static IEnumerable<(int Line, string[] Fields)> Parse(string text, char delimiter, bool quoting, string source)
    {
        int i = 0, line = 1;
        var fields = new List<string>();
        var field = new StringBuilder();
        while (i < text.Length)
        {
            int recordLine = line;
            bool anyQuoted = false;
            fields.Clear();
            field.Clear();
            while (i < text.Length)
            {
                char c = text[i];
                if (quoting && c == '"' && field.Length == 0)
                {
                    anyQuoted = true;
                    i = ReadQuoted(text, i + 1, field, ref line, recordLine, source);
                    if (i < text.Length && text[i] != delimiter && text[i] != '\r' && text[i] != '\n')
                    {
                        throw new InvalidDataException($"{source}:{line}: unexpected '{text[i]}' after a closing quote (a quote inside a quoted field is written \"\")");
                    }
                    continue;
                }
                if (c == delimiter)
                {
                    fields.Add(field.ToString());
                    field.Clear();
                    i++;
                    continue;
                }
                if (c is '\r' or '\n')
                {
                    i += c == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? 2 : 1;
                    line++;
                    break;
                }
                field.Append(c);
                i++;
            }
            fields.Add(field.ToString());
            bool blank = fields.Count == 1 && fields[0].Length == 0 && !anyQuoted;
            if (!blank)
            {
                yield return (recordLine, fields.ToArray());
            }
        }
    }

    // Reads a quoted field's content from just after its opening quote; returns the index just after the closing quote.
    private static int ReadQuoted(string text, int i, StringBuilder field, ref int line, int recordLine, string source)
    {
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '"')
            {
                if (i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            if (c == '\n' || (c == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
            {
                line++;
            }
            field.Append(c);
            i++;
        }
        throw new InvalidDataException($"{source}:{recordLine}: a quoted field opened on this line is never closed");
    }
}
