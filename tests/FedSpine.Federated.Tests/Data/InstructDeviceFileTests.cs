// A device's instruction file: what partition writes reads back as the same train and local-test records in order; a plain
// Dolly file with no "split" is split on the device (seeded, the local test fraction held out); a file where some rows lack
// "split", a bad split value, a record without a response, and a file with no test rows are one error naming file:line.
using FedSpine.Federated.Data;
using FedSpine.Federated.Tests.Runs;
using FedSpine.Model.Tasks;

namespace FedSpine.Federated.Tests.Data;

public sealed class InstructDeviceFileTests
{
    private static string Write(params string[] lines)
    {
        string path = Path.Combine(TinyRuns.TempFolder("instruct-device"), "device-0.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    private static string Row(int i, string? split) =>
        $"{{\"instruction\": \"Q{i}\", \"context\": \"\", \"response\": \"A{i}\", \"category\": \"c{i % 2}\"{(split is null ? "" : $", \"split\": \"{split}\"")}}}";

    [Fact]
    public void What_is_written_reads_back_as_the_same_records_in_order()
    {
        var data = new InstructDataset(Enumerable.Range(0, 8).Select(i => new InstructRecord($"Q{i}", i % 3 == 0 ? "ctx" : "", $"A{i}", $"c{i % 2}", i + 1)).ToList(), "mem");
        string path = Write();
        InstructDeviceFile.Write(path, data, [5, 1, 6], [2, 7]);
        var (train, test) = InstructDeviceFile.Read(path, 0.5, seed: 3);
        Assert.Equal(["Q5", "Q1", "Q6"], train.Records.Select(r => r.Instruction));
        Assert.Equal(["Q2", "Q7"], test.Records.Select(r => r.Instruction));
        Assert.Equal(data.Records[6] with { Line = 0 }, train.Records[2] with { Line = 0 });
    }

    [Fact]
    public void A_file_without_split_is_split_on_the_device_with_the_seed()
    {
        string path = Write(Enumerable.Range(0, 10).Select(i => Row(i, null)).ToArray());
        var (train, test) = InstructDeviceFile.Read(path, 0.2, seed: 7);
        Assert.Equal(2, test.Count);
        Assert.Equal(8, train.Count);
        Assert.Empty(train.Records.Select(r => r.Line).Intersect(test.Records.Select(r => r.Line)));
        Assert.Equal(test.Records, InstructDeviceFile.Read(path, 0.2, seed: 7).Test.Records);   // same seed, same split
    }

    [Theory]
    [InlineData("partial", ":3: no \"split\"")]
    [InlineData("bad", ":2: \"split\" must be \"train\" or \"test\"")]
    [InlineData("no-response", ":2: no string \"response\"")]
    [InlineData("no-test", ": needs both train and test records (has 3 and 0)")]
    public void Bad_device_files_are_one_error_naming_the_file(string kind, string expected)
    {
        string path = kind switch
        {
            "partial" => Write(Row(0, "train"), Row(1, "test"), Row(2, null)),
            "bad" => Write(Row(0, "train"), Row(1, "validation")),
            "no-response" => Write(Row(0, "train"), "{\"instruction\": \"Q\", \"split\": \"test\"}"),
            _ => Write(Row(0, "train"), Row(1, "train"), Row(2, "train")),
        };
        var e = Assert.Throws<InvalidDataException>(() => InstructDeviceFile.Read(path, 0.2, seed: 1));
        Assert.StartsWith(path + expected, e.Message, StringComparison.Ordinal);
    }
}
