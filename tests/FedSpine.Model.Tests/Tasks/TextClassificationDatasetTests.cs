// Classification files in every supported format (JSONL, RFC-4180 CSV, TSV): texts, label lists, quoting, and bad
// lines reported with file and line; seeded stratified splits are disjoint, complete and repeatable.
using FedSpine.Model.Tasks;

namespace FedSpine.Model.Tests.Tasks;

public sealed class TextClassificationDatasetTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void JsonlIntegerLabelsIndexClassesDirectly()
    {
        string path = _dir.Write("a.jsonl", "{\"text\": \"good\", \"label\": 1}\n\n{\"label\": 0, \"text\": \"bad \\\"x\\\"\"}\n{\"text\": \"ok\", \"label\": 2, \"id\": 7}\n");
        var data = TextClassificationDataset.Load(path);
        Assert.Equal(["0", "1", "2"], data.Labels);
        Assert.Equal([new TextExample("good", 1), new TextExample("bad \"x\"", 0), new TextExample("ok", 2)], data.Examples);
    }

    [Fact]
    public void StringAndBooleanLabelsGetOrdinalOrder()
    {
        string strings = _dir.Write("s.jsonl", "{\"text\": \"a\", \"label\": \"pos\"}\r\n{\"text\": \"b\", \"label\": \"neg\"}\r\n{\"text\": \"c\", \"label\": \"pos\"}\r\n");
        var data = TextClassificationDataset.Load(strings);
        Assert.Equal(["neg", "pos"], data.Labels);
        Assert.Equal([1, 0, 1], data.Examples.Select(e => e.Label));
        string bools = _dir.Write("b.jsonl", "{\"text\": \"a\", \"label\": true}\n{\"text\": \"b\", \"label\": false}\n");
        Assert.Equal([1, 0], TextClassificationDataset.Load(bools).Examples.Select(e => e.Label));
    }

    [Fact]
    public void GivenLabelListIsKeptAndUnknownLabelsNameTheLine()
    {
        string path = _dir.Write("test.jsonl", "{\"text\": \"a\", \"label\": \"pos\"}\n{\"text\": \"b\", \"label\": \"meh\"}\n");
        var e = Assert.Throws<InvalidDataException>(() => TextClassificationDataset.Load(path, labels: ["neg", "pos"]));
        Assert.Contains($"{path}:2:", e.Message);
        Assert.Contains("'meh'", e.Message);
        string ok = _dir.Write("ok.jsonl", "{\"text\": \"a\", \"label\": \"pos\"}\n");
        var data = TextClassificationDataset.Load(ok, labels: ["neg", "pos"]);
        Assert.Equal(["neg", "pos"], data.Labels);
        Assert.Equal(1, data.Examples[0].Label);
    }

    [Theory]
    [InlineData("{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\", \"label\": 0\n", 2, "not a JSON object")]
    [InlineData("{\"text\": \"a\", \"label\": 1}\n[1, 2]\n", 2, "expected a JSON object")]
    [InlineData("{\"text\": \"a\", \"label\": 1}\n\n{\"label\": 0}\n", 3, "no string \"text\"")]
    [InlineData("{\"text\": \"a\"}\n", 1, "no \"label\"")]
    [InlineData("{\"text\": \"a\", \"label\": null}\n", 1, "expected a string, integer or boolean")]
    public void BadJsonlLinesNameFileAndLine(string content, int line, string message)
    {
        string path = _dir.Write("bad.jsonl", content);
        var e = Assert.Throws<InvalidDataException>(() => TextClassificationDataset.Load(path));
        Assert.StartsWith($"{path}:{line}:", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void CsvFollowsRfc4180Quoting()
    {
        string csv = "id,label,text\r\n" +
                     "1,pos,\"Funny, warm and \"\"wise\"\"\"\r\n" +
                     "2,neg,\"two\r\nlines\"\r\n" +
                     "3,neg,plain 9\" screen\r\n" +
                     "4,pos,\"\"\r\n";
        var data = TextClassificationDataset.Load(_dir.Write("q.csv", csv));
        Assert.Equal(["neg", "pos"], data.Labels);
        Assert.Equal(["Funny, warm and \"wise\"", "two\r\nlines", "plain 9\" screen", ""], data.Examples.Select(e => e.Text));
        Assert.Equal([1, 0, 0, 1], data.Examples.Select(e => e.Label));
    }

    [Theory]
    [InlineData("text,label\n\"a\nb\",1\nc,1,extra\n", 4, "3 fields, but the header has 2")]
    [InlineData("text,label\na,1\n\"never closed,1\nb,0\n", 3, "never closed")]
    [InlineData("text,label\n\"a\"b,1\n", 2, "after a closing quote")]
    [InlineData("sentence,label\na,1\n", 1, "no 'text' column")]
    public void BadCsvLinesNameFileAndLine(string content, int line, string message)
    {
        string path = _dir.Write("bad.csv", content);
        var e = Assert.Throws<InvalidDataException>(() => TextClassificationDataset.Load(path));
        Assert.StartsWith($"{path}:{line}:", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void CsvColumnsCanBeRenamed()
    {
        string path = _dir.Write("sst.csv", "sentence,Sentiment\nhello,1\nbye,0\n");
        var data = TextClassificationDataset.Load(path, textColumn: "sentence", labelColumn: "sentiment");
        Assert.Equal([new TextExample("hello", 1), new TextExample("bye", 0)], data.Examples);
    }

    [Fact]
    public void TsvHasNoQuotingAndChecksFieldCounts()
    {
        var data = TextClassificationDataset.Load(_dir.Write("a.tsv", "label\ttext\r\n0\t\"quoted\" stays, as is\r\n1\tfine\r\n"));
        Assert.Equal(["\"quoted\" stays, as is", "fine"], data.Examples.Select(e => e.Text));
        string bad = _dir.Write("bad.tsv", "label\ttext\n0\tok\n1\tnot\tok\n");
        var e = Assert.Throws<InvalidDataException>(() => TextClassificationDataset.Load(bad));
        Assert.StartsWith($"{bad}:3:", e.Message);
    }

    [Fact]
    public void UnknownFormatsEmptyFilesAndMissingFilesAreClearErrors()
    {
        Assert.Contains("unknown data format '.txt'", Assert.Throws<ArgumentException>(() => TextClassificationDataset.Load(_dir.Write("a.txt", "x"))).Message);
        Assert.Contains("empty file", Assert.Throws<InvalidDataException>(() => TextClassificationDataset.Load(_dir.Write("e.csv", ""))).Message);
        Assert.Contains("no examples", Assert.Throws<InvalidDataException>(() => TextClassificationDataset.Load(_dir.Write("h.csv", "text,label\n"))).Message);
        Assert.Throws<FileNotFoundException>(() => TextClassificationDataset.Load(System.IO.Path.Combine(_dir.Path, "none.jsonl")));
    }

    [Fact]
    public void GroupFieldOrColumnFillsTheExamplesGroup()
    {
        string jsonl = _dir.Write("g.jsonl", "{\"text\": \"a\", \"label\": 1, \"group\": \"box-1\"}\n" +
            "{\"text\": \"b\", \"label\": 0, \"group\": 7}\n{\"text\": \"c\", \"label\": 0, \"group\": null}\n{\"text\": \"d\", \"label\": 1}\n");
        Assert.Equal(["box-1", "7", null, null], TextClassificationDataset.Load(jsonl).Examples.Select(e => e.Group));
        var csv = TextClassificationDataset.Load(_dir.Write("g.csv", "text,Group,label\nhello,\"u, 1\",1\nbye,,0\n"));
        Assert.Equal([new TextExample("hello", 1, "u, 1"), new TextExample("bye", 0)], csv.Examples);
        var tsv = TextClassificationDataset.Load(_dir.Write("g.tsv", "label\ttext\tuser\n0\tx\tann\n"), groupColumn: "user");
        Assert.Equal("ann", tsv.Examples[0].Group);
        Assert.Equal("ann", tsv.Split(0.5, seed: 1).Train.Examples.Concat(tsv.Split(0.5, seed: 1).Test.Examples).Single().Group);
        string bad = _dir.Write("bad-group.jsonl", "{\"text\": \"a\", \"label\": 1, \"group\": [1]}\n");
        var e = Assert.Throws<InvalidDataException>(() => TextClassificationDataset.Load(bad));
        Assert.StartsWith($"{bad}:1:", e.Message);
        Assert.Contains("\"group\" is Array", e.Message);
    }

    [Fact]
    public void StratifiedSplitIsDisjointCompleteAndRepeatable()
    {
        var examples = Enumerable.Range(0, 103).Select(i => new TextExample($"t{i}", i % 3 == 0 ? 1 : 0)).ToList();
        var data = new TextClassificationDataset(examples, ["a", "b"], "synthetic");
        var (train, test) = data.Split(0.25, seed: 5);
        Assert.Equal([(int)Math.Round(68 * 0.25), (int)Math.Round(35 * 0.25, MidpointRounding.AwayFromZero)], test.ClassCounts());
        Assert.Equal(103, train.Count + test.Count);
        Assert.Empty(train.Examples.Select(e => e.Text).Intersect(test.Examples.Select(e => e.Text)));
        var (train2, test2) = data.Split(0.25, seed: 5);
        Assert.Equal(test.Examples, test2.Examples);
        Assert.Equal(train.Examples, train2.Examples);
        Assert.NotEqual(test.Examples, data.Split(0.25, seed: 6).Test.Examples);
        Assert.Equal(data.Labels, train.Labels);
    }
}
