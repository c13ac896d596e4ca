// Instruct data files: Dolly's and Alpaca's schemas, one clear error naming file:line for a record without instruction
// or response and for an empty file, and the seeded train/test split stratified by category.
using FedSpine.Model.Tasks;

namespace FedSpine.Model.Tests.Tasks;

public class InstructDatasetTests
{
    [Fact]
    public void ReadsDollyAndAlpacaSchemas()
    {
        using var folder = new TempFolder();
        string dolly = folder.Write("dolly.jsonl",
            "{\"instruction\": \"Say hi\", \"context\": \"\", \"response\": \"Hi\", \"category\": \"open_qa\"}\n\n" +
            "{\"instruction\": \"Sum up\", \"context\": \"A text.\", \"response\": \"Short.\", \"category\": \"summarization\"}\n");
        var records = InstructFileReader.Read(dolly);
        Assert.Equal(2, records.Count);
        Assert.Equal(new InstructRecord("Sum up", "A text.", "Short.", "summarization", 3), records[1]);

        string alpaca = folder.Write("alpaca.jsonl", "{\"instruction\": \"Add\", \"input\": \"1 and 2\", \"output\": \"3\"}\n");
        Assert.Equal(new InstructRecord("Add", "1 and 2", "3", InstructRecord.NoCategory, 1), InstructFileReader.Read(alpaca).Single());
    }

    [Theory]
    [InlineData("{\"context\": \"\", \"response\": \"Hi\", \"category\": \"a\"}", "bad.jsonl:2: no string \"instruction\" field")]
    [InlineData("{\"instruction\": \"Say hi\", \"category\": \"a\"}", "bad.jsonl:2: no string \"response\" (Dolly) or \"output\" (Alpaca) field")]
    [InlineData("[1, 2]", "bad.jsonl:2: expected a JSON object")]
    public void ABadRecordNamesTheFileAndLine(string badLine, string expected)
    {
        using var folder = new TempFolder();
        string path = folder.Write("bad.jsonl", "{\"instruction\": \"a\", \"response\": \"b\"}\n" + badLine + "\n");
        var error = Assert.Throws<InvalidDataException>(() => InstructFileReader.Read(path));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void AnEmptyFileIsOneClearError()
    {
        using var folder = new TempFolder();
        string path = folder.Write("empty.jsonl", "\n  \n");
        var error = Assert.Throws<InvalidDataException>(() => InstructFileReader.Read(path));
        Assert.StartsWith($"{path}: empty file", error.Message);
    }

    [Fact]
    public void SplitIsSeededStratifiedAndDisjoint()
    {
        var records = Enumerable.Range(0, 60)
            .Select(i => new InstructRecord($"q{i}", "", $"a{i}", i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c", i + 1))
            .Concat([new InstructRecord("lonely", "", "x", "d", 61)]).ToList();
        var data = new InstructDataset(records, "mem");
        var (train, test) = data.Split(0.1, seed: 5);
        Assert.Equal(["a", "b", "c", "d"], data.Categories);
        Assert.Equal([2, 2, 2], test.CategoryOf.GroupBy(c => c).OrderBy(g => g.Key).Select(g => g.Count()));   // 10% of 20 each
        Assert.Equal(61, train.Count + test.Count);
        Assert.Empty(train.Records.Select(r => r.Line).Intersect(test.Records.Select(r => r.Line)));
        Assert.Contains(train.Records, r => r.Category == "d");   // a category of one stays in training
        var (_, again) = data.Split(0.1, seed: 5);
        Assert.Equal(test.Records, again.Records);
        var (_, other) = data.Split(0.1, seed: 6);
        Assert.NotEqual(test.Records.Select(r => r.Line), other.Records.Select(r => r.Line));
    }
}
