// One device's private instruction data as JSONL (`fedspine partition --task instruct` writes device-K.jsonl): Dolly's
// fields plus "split": "train"|"test", train rows first. A plain Dolly/Alpaca file with no "split" anywhere is split on the
// device (seeded, local_test_fraction held out); a file where only some rows have one is an error naming file:line.
using System.Text;
using System.Text.Json;
using FedSpine.Model.Tasks;
using FedSpine.Tensors;

namespace FedSpine.Federated.Data;

public static class InstructDeviceFile
{
    /// <summary>Writes the records at train then test (indices into data) atomically (temporary file, then rename).</summary>
    public static void Write(string path, InstructDataset data, IReadOnlyList<int> train, IReadOnlyList<int> test)
    {
        string temporary = path + ".partial";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write))
        using (var writer = new Utf8JsonWriter(stream))
        {
            foreach (var (indices, split) in new[] { (train, DeviceDataFile.TrainSplit), (test, DeviceDataFile.TestSplit) })
            {
                foreach (int i in indices)
                {
                    var r = data.Records[i];
                    writer.WriteStartObject();
                    writer.WriteString("instruction", r.Instruction);
                    writer.WriteString("context", r.Context);
                    writer.WriteString("response", r.Response);
                    writer.WriteString("category", r.Category);
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

    /// <summary>The device's local train and test records: by each row's "split", or, when no row has one, a seeded split
    /// holding out localTestFraction. Both parts must be non-empty.</summary>
    public static (InstructDataset Train, InstructDataset Test) Read(string path, double localTestFraction, ulong seed)
    {
        var all = InstructDataset.Load(path);   // names file:line for a record without instruction or response, or an empty file
        var splits = new List<string?>();       // [records], by the line each record came from
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
            if (split is not (null or DeviceDataFile.TrainSplit or DeviceDataFile.TestSplit))
            {
                throw new InvalidDataException($"{path}:{lineNumber}: \"split\" must be \"{DeviceDataFile.TrainSplit}\" or \"{DeviceDataFile.TestSplit}\"");
            }
            splits.Add(split);
        }
        int[] train, test;
        if (splits.All(s => s is null))
        {
            (train, test) = Partitioner.SplitDevice(Enumerable.Range(0, all.Count).ToArray(), localTestFraction, new Rng(seed));
        }
        else
        {
            int missing = splits.IndexOf(null);
            if (missing >= 0)
            {
                throw new InvalidDataException($"{path}:{all.Records[missing].Line}: no \"split\"; give every row \"split\": \"train\" or \"test\", or none (the device then splits)");
            }
            train = Enumerable.Range(0, all.Count).Where(i => splits[i] == DeviceDataFile.TrainSplit).ToArray();
            test = Enumerable.Range(0, all.Count).Where(i => splits[i] == DeviceDataFile.TestSplit).ToArray();
        }
        if (train.Length == 0 || test.Length == 0)
        {
            throw new InvalidDataException($"{path}: needs both train and test records (has {train.Length} and {test.Length})");
        }
        return (all.Subset(train, $"{path} (train)"), all.Subset(test, $"{path} (test)"));
    }
}
