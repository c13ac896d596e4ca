// The VADER movie-review file as binary sentiment: counts after dropping neutral lines, class balance, and a fixed
// seeded 80/20 stratified split that is disjoint, complete and the same on every run; malformed lines name their line.
using FedSpine.Model.Tasks;

namespace FedSpine.Model.Tests.Tasks;

public class VaderSentimentTests
{
    private static string VaderPath => SharedData.File("data/vader/movieReviewSnippets_GroundTruth.txt");

    [SharedDataFact]
    public void NeutralSnippetsAreDroppedAndClassesAreBalanced()
    {
        Assert.Equal(10_605, File.ReadLines(VaderPath).Count());
        var data = VaderSentiment.Read(VaderPath);
        Assert.Equal(10_568, data.Count);
        Assert.Equal(["negative", "positive"], data.Labels);
        Assert.Equal([5_326, 5_242], data.ClassCounts());
        Assert.Equal(new TextExample("Effective but too tepid biopic", 0), data.Examples[2]);
    }

    [SharedDataFact]
    public void SplitIsStratifiedDisjointAndFixedForASeed()
    {
        var (train, test) = VaderSentiment.Load(VaderPath, seed: 1);
        Assert.Equal([1_065, 1_048], test.ClassCounts());
        Assert.Equal([4_261, 4_194], train.ClassCounts());
        var testSet = test.Examples.ToHashSet(ReferenceEqualityComparer.Instance);
        Assert.DoesNotContain(train.Examples, testSet.Contains);
        var (train2, test2) = VaderSentiment.Load(VaderPath, seed: 1);
        Assert.Equal(test.Examples, test2.Examples);
        Assert.Equal(train.Examples, train2.Examples);
        var other = VaderSentiment.Load(VaderPath, seed: 2).Test;
        Assert.True(other.Examples.Count(testSet.Contains) < test.Count / 2, "another seed should give a different test split");
        // The shuffled order makes a prefix a random subset: roughly balanced although the file lists positives first.
        Assert.InRange(test.Take(400).ClassCounts()[1], 160, 240);
    }

    [Fact]
    public void MalformedLinesNameFileAndLine()
    {
        using var dir = new TempFolder();
        string path = dir.Write("vader.txt", "1\t2.5\tgood\r\n2\t-1.25\tbad\r\n3\tfive\tbroken\r\n");
        var e = Assert.Throws<InvalidDataException>(() => VaderSentiment.Read(path));
        Assert.StartsWith($"{path}:3:", e.Message);
        string fields = dir.Write("fields.txt", "1\t2.5\tgood\r\n2\t-1.25\r\n");
        Assert.StartsWith($"{fields}:2:", Assert.Throws<InvalidDataException>(() => VaderSentiment.Read(fields)).Message);
        string ok = dir.Write("ok.txt", "1\t2.5\tgood\r\n2\t0\tmeh\r\n3\t-0.5\tbad");
        Assert.Equal([new TextExample("good", 1), new TextExample("bad", 0)], VaderSentiment.Read(ok).Examples);
    }
}
