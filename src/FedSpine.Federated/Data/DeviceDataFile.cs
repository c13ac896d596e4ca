// One device's private data as a JSONL file (`fedspine partition` writes device-K.jsonl): {"text", "label", "group"?,
// "split": "train"|"test"} per line, train rows first, then local-test rows in the order the device evaluates them.
// Read back with the run's class names, it gives the device exactly the examples the simulation gives it.
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
    public static void Write(string path, TextClassificationDataset data, IReadOnlyList<int> train, IReadOnlyList<int> test)
    {
        string temporary = path + ".partial";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        using (var writer = new Utf8JsonWriter(stream))
        {
            foreach (var (indices, split) in new[] { (train, TrainSplit), (test, TestSplit) })
            {
                foreach (int i in indices)
                {
                    var e = data.Examples[i];
                    writer.WriteStartObject();
                    writer.WriteString("text", e.Text);
                    writer.WriteString("label", data.Labels[e.Label]);
                    if (e.Group is not null)
                    {
                        writer.WriteString("group", e.Group);
                    }
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

    /// <summary>The device's local train and test sets, labels mapped by the run's class names.</summary>
    public static (TextClassificationDataset Train, TextClassificationDataset Test) Read(string path, IReadOnlyList<string> labels)
    {
        var all = TextClassificationDataset.Load(path, labels);
        var splits = new List<string>();
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
            if (split is not (TrainSplit or TestSplit))
            {
                throw new InvalidDataException($"{path}:{lineNumber}: \"split\" must be \"{TrainSplit}\" or \"{TestSplit}\" (a device file from `fedspine partition`)");
            }
            splits.Add(split);
        }
        var train = all.Examples.Where((_, i) => splits[i] == TrainSplit).ToList();
        var test = all.Examples.Where((_, i) => splits[i] == TestSplit).ToList();
        if (train.Count == 0 || test.Count == 0)
        {
            throw new InvalidDataException($"{path}: needs both train and test rows (has {train.Count} and {test.Count})");
        }
        return (new TextClassificationDataset(train, labels, $"{path} (train)"), new TextClassificationDataset(test, labels, $"{path} (test)"));
    }
}
