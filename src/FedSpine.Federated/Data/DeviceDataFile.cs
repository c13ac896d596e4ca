// One device's private data as a JSONL file (`fedspine partition` writes device-K.jsonl): {"text", "label", "group"?,
// "split": "train"|"test"} per line, train rows first, then local-test rows in the order the device evaluates them.
// Read back with the run's class names, it gives the device exactly the examples the simulation gives it. The row writer
// and split reader serve the instruct task's device file too (InstructDeviceFile).
using System.Text;
using System.Text.Json;
using FedSpine.Model.Tasks;

namespace FedSpine.Federated.Data;

public static class DeviceDataFile
{
    public const string TrainSplit = "train";
    public const string TestSplit = "test";

    public static string FileName(int device) => $"device-{device}.jsonl";

    /// <summary>Writes the examples at train then test (indices into data) atomically (temporary file, then rename).</summary>
    public static void Write(string path, TextClassificationDataset data, IReadOnlyList<int> train, IReadOnlyList<int> test) =>
        WriteRows(path, train, test, (writer, i) =>
        {
            var e = data.Examples[i];
            writer.WriteString("text", e.Text);
            writer.WriteString("label", data.Labels[e.Label]);
            if (e.Group is not null)
            {
                writer.WriteString("group", e.Group);
            }
        });

    /// <summary>A device file of any task: one JSON object per row, train rows then test rows, each with the fields
    /// writeRow writes for its index and then "split"; written atomically (temporary file, then rename).</summary>
    public static void WriteRows(string path, IReadOnlyList<int> train, IReadOnlyList<int> test, Action<Utf8JsonWriter, int> writeRow)
    {
        string temporary = path + ".partial";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        using (var writer = new Utf8JsonWriter(stream))
        {
            foreach (var (indices, split) in new[] { (train, TrainSplit), (test, TestSplit) })
            {
                foreach (int i in indices)
                {
                    writer.WriteStartObject();
                    writeRow(writer, i);
                    writer.WriteString("split", split);
                    writer.WriteEndObject();
                    writer.Flush();
                    stream.WriteByte((byte)'\n');
                    writer.Reset();
                }
            }
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Line number and "split" (null when absent) of every non-blank line; a value other than train or test is
    /// an error naming file:line.</summary>
    public static List<(int Line, string? Split)> ReadSplits(string path)
    {
        var splits = new List<(int, string?)>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            using var doc = JsonDocument.Parse(line);
            string? split = doc.RootElement.TryGetProperty("split", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (split is not (null or TrainSplit or TestSplit))
            {
                throw new InvalidDataException($"{path}:{lineNumber}: \"split\" must be \"{TrainSplit}\" or \"{TestSplit}\"");
            }
            splits.Add((lineNumber, split));
        }
        return splits;
    }

    /// <summary>The device's local train and test sets, labels mapped by the run's class names.</summary>
    public static (TextClassificationDataset Train, TextClassificationDataset Test) Read(string path, IReadOnlyList<string> labels)
    {
        var all = TextClassificationDataset.Load(path, labels);
        var rows = ReadSplits(path);
        if (rows.FirstOrDefault(r => r.Split is null) is { Line: > 0 } missing)
        {
            throw new InvalidDataException($"{path}:{missing.Line}: \"split\" must be \"{TrainSplit}\" or \"{TestSplit}\" (a device file from `fedspine partition`)");
        }
        var splits = rows.Select(r => r.Split).ToList();
        var train = all.Examples.Where((_, i) => splits[i] == TrainSplit).ToList();
        var test = all.Examples.Where((_, i) => splits[i] == TestSplit).ToList();
        if (train.Count == 0 || test.Count == 0)
        {
            throw new InvalidDataException($"{path}: needs both train and test rows (has {train.Count} and {test.Count})");
        }
        return (new TextClassificationDataset(train, labels, $"{path} (train)"), new TextClassificationDataset(test, labels, $"{path} (test)"));
    }
}
