// Reads (text, label, group) rows from JSONL ({"text": ..., "label": ..., "group": ...} per line), CSV (RFC-4180) or TSV
// files whose header row names the text and label columns; labels stay raw strings here; the group field/column is optional
// (absent, null or empty: no group). Bad input names the file and line.
using System.Text.Json;

namespace FedSpine.Model.Tasks;

internal static class ClassificationFileReader
{
    public const string Extensions = ".jsonl/.ndjson, .csv or .tsv/.tab";

    /// <summary>Rows in file order, with the line each starts on; the format follows the file's extension.</summary>
    public static IEnumerable<(int Line, string Text, string Label, string? Group)> Read(string path, string textColumn, string labelColumn,
        string groupColumn = "group")
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"classification data not found: '{path}'");
        }
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".jsonl" or ".ndjson" => ReadJsonl(path, textColumn, labelColumn, groupColumn),
            ".csv" => ReadDelimited(path, ',', quoting: true, textColumn, labelColumn, groupColumn),
            ".tsv" or ".tab" => ReadDelimited(path, '\t', quoting: false, textColumn, labelColumn, groupColumn),
            var other => throw new ArgumentException($"{path}: unknown data format '{other}'; expected {Extensions}"),
        };
    }

    private static IEnumerable<(int, string, string, string?)> ReadJsonl(string path, string textKey, string labelKey, string groupKey)
    {
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: not a JSON object ({e.Message})", e);
            }
            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidDataException($"{path}:{lineNumber}: expected a JSON object with \"{textKey}\" and \"{labelKey}\", got {root.ValueKind}");
                }
                if (!root.TryGetProperty(textKey, out var text) || text.ValueKind != JsonValueKind.String)
                {
                    throw new InvalidDataException($"{path}:{lineNumber}: no string \"{textKey}\" field");
                }
                if (!root.TryGetProperty(labelKey, out var label))
                {
                    throw new InvalidDataException($"{path}:{lineNumber}: no \"{labelKey}\" field");
                }
                string labelText = label.ValueKind switch
                {
                    JsonValueKind.String => label.GetString()!,
                    JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => label.GetRawText(),
                    var kind => throw new InvalidDataException($"{path}:{lineNumber}: \"{labelKey}\" is {kind}; expected a string, integer or boolean"),
                };
                string? groupText = !root.TryGetProperty(groupKey, out var group) ? null : group.ValueKind switch
                {
                    JsonValueKind.Null => null,
                    JsonValueKind.String => group.GetString() is { Length: > 0 } g ? g : null,
                    JsonValueKind.Number => group.GetRawText(),
                    var kind => throw new InvalidDataException($"{path}:{lineNumber}: \"{groupKey}\" is {kind}; expected a string, a number or null"),
                };
                yield return (lineNumber, text.GetString()!, labelText, groupText);
            }
        }
    }

    private static IEnumerable<(int, string, string, string?)> ReadDelimited(string path, char delimiter, bool quoting, string textColumn, string labelColumn,
        string groupColumn)
    {
        using var records = DelimitedRecords.Parse(File.ReadAllText(path), delimiter, quoting, path).GetEnumerator();
        if (!records.MoveNext())
        {
            throw new InvalidDataException($"{path}: empty file; expected a header row naming the '{textColumn}' and '{labelColumn}' columns");
        }
        string[] header = records.Current.Fields;
        int textIndex = Column(path, header, textColumn);
        int labelIndex = Column(path, header, labelColumn);
        int groupIndex = FindColumn(header, groupColumn);
        while (records.MoveNext())
        {
            var (line, fields) = records.Current;
            if (fields.Length != header.Length)
            {
                throw new InvalidDataException($"{path}:{line}: {fields.Length} fields, but the header has {header.Length}");
            }
            string? group = groupIndex >= 0 && fields[groupIndex].Length > 0 ? fields[groupIndex] : null;
            yield return (line, fields[textIndex], fields[labelIndex], group);
        }
    }

    private static int Column(string path, string[] header, string name)
    {
        int index = FindColumn(header, name);
        if (index < 0)
        {
            throw new InvalidDataException($"{path}:1: the header has no '{name}' column (columns: {string.Join(", ", header)})");
        }
        return index;
    }

    private static int FindColumn(string[] header, string name) =>
        Array.FindIndex(header, h => string.Equals(h.Trim(), name, StringComparison.OrdinalIgnoreCase));
}
