// Reads instruction records from JSONL: Dolly's schema (instruction, context, response, category) or Alpaca's
// (instruction, input, output); context/input and category may be absent. Bad input names the file and line.
using System.Text.Json;

namespace FedSpine.Model.Tasks;

public static class InstructFileReader
{
    /// <summary>Every record in file order; an empty file, a line that is not a JSON object, or a record without a string
    /// instruction or response (response/output) throws InvalidDataException naming file:line.</summary>
    public static IReadOnlyList<InstructRecord> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"instruction data not found: '{path}'");
        }
        var records = new List<InstructRecord>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (!string.IsNullOrWhiteSpace(line))
            {
                records.Add(Parse(path, lineNumber, line));
            }
        }
        if (records.Count == 0)
        {
            throw new InvalidDataException($"{path}: empty file; expected JSON lines with \"instruction\" and \"response\" (Dolly) or \"output\" (Alpaca)");
        }
        return records;
    }

    private static InstructRecord Parse(string path, int lineNumber, string line)
    {
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
                throw new InvalidDataException($"{path}:{lineNumber}: expected a JSON object with \"instruction\" and \"response\", got {root.ValueKind}");
            }
            string instruction = Text(root, "instruction", path, lineNumber)
                ?? throw new InvalidDataException($"{path}:{lineNumber}: no string \"instruction\" field");
            string response = Text(root, "response", path, lineNumber) ?? Text(root, "output", path, lineNumber)
                ?? throw new InvalidDataException($"{path}:{lineNumber}: no string \"response\" (Dolly) or \"output\" (Alpaca) field");
            string context = Text(root, "context", path, lineNumber) ?? Text(root, "input", path, lineNumber) ?? "";
            string category = Text(root, "category", path, lineNumber) is { Length: > 0 } c ? c : InstructRecord.NoCategory;
            return new InstructRecord(instruction, context, response, category, lineNumber);
        }
    }

    // The field's string, null when absent or null; another kind is an error.
    private static string? Text(JsonElement root, string key, string path, int lineNumber)
    {
        if (!root.TryGetProperty(key, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new InvalidDataException($"{path}:{lineNumber}: \"{key}\" is {value.ValueKind}; expected a string");
    }
}
