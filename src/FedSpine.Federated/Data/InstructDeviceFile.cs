// One device's private instruction data as JSONL (`fedspine partition --task instruct` writes device-K.jsonl): Dolly's
// fields plus "split": "train"|"test", train rows first. A plain Dolly/Alpaca file with no "split" anywhere is split on the
// device (seeded, local_test_fraction held out); a file where only some rows have one is an error naming file:line.
using FedSpine.Model.Tasks;
using FedSpine.Tensors;

namespace FedSpine.Federated.Data;

public static class InstructDeviceFile
{
    /// <summary>Writes the records at train then test (indices into data) atomically (temporary file, then rename).</summary>
    public static void Write(string path, InstructDataset data, IReadOnlyList<int> train, IReadOnlyList<int> test) =>
        DeviceDataFile.WriteRows(path, train, test, (writer, i) =>
        {
            var r = data.Records[i];
            writer.WriteString("instruction", r.Instruction);
            writer.WriteString("context", r.Context);
            writer.WriteString("response", r.Response);
            writer.WriteString("category", r.Category);
        });

    /// <summary>The device's local train and test records: by each row's "split", or, when no row has one, a seeded split
    /// holding out localTestFraction. Both parts must be non-empty.</summary>
    public static (InstructDataset Train, InstructDataset Test) Read(string path, double localTestFraction, ulong seed)
    {
        var all = InstructDataset.Load(path);   // names file:line for a record without instruction or response, or an empty file
        var rows = DeviceDataFile.ReadSplits(path);   // [records]: each one's line and split
        var splits = rows.Select(r => r.Split).ToList();
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
                throw new InvalidDataException($"{path}:{rows[missing].Line}: no \"split\"; give every row \"split\": \"train\" or \"test\", or none (the device then splits)");
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
