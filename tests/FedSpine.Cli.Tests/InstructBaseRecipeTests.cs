// The recipe of models/fedspine-instruct-base: prepare_text.sh (run as a user runs it, on ../shared's Austen and Dolly)
// writes pretraining text that holds Dolly's training records in the prompt template and no test record: no test
// response of 24+ characters and no test record's whole templated text occurs in it; `instruct-split` records the split.
using System.Diagnostics;
using System.Text.Json;
using FedSpine.Model.Tasks;

namespace FedSpine.Cli.Tests;

public sealed class InstructBaseRecipeTests
{
    private static string Recipe => Path.Combine(SharedData.RepoRoot!, "models", "fedspine-instruct-base", "prepare_text.sh");

    [SharedDataFact]
    public void The_prepared_pretraining_text_holds_training_records_and_no_test_record()
    {
        string dolly = SharedData.File("data/dolly/databricks-dolly-15k.jsonl");
        string output = Path.Combine(Path.GetTempPath(), $"fedspine-instruct-base-text-{Guid.NewGuid():N}");
        var info = new ProcessStartInfo("bash", [Recipe, SharedData.File("data/austen"), dolly, output])
        {
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["FEDSPINE"] = $"dotnet {Path.Combine(AppContext.BaseDirectory, "fedspine.dll")}";
        using (var prepare = Process.Start(info)!)
        {
            string log = prepare.StandardError.ReadToEnd();
            prepare.WaitForExit();
            Assert.True(prepare.ExitCode == 0, log);
        }
        try
        {
            string text = string.Concat(Directory.GetFiles(Path.Combine(output, "train"), "*.txt").Order(StringComparer.Ordinal).Select(File.ReadAllText));
            var (train, test) = InstructDataset.Load(dolly).Split();   // the instruct task's split, computed here independently
            Assert.Equal(1502, test.Count);

            var leaked = test.Records.Where(r => r.Response.Trim().Length >= InstructPretrainText.MinMatchedChars
                                                 && text.Contains(r.Response.Trim(), StringComparison.Ordinal)).ToList();
            Assert.True(leaked.Count == 0, $"{leaked.Count} test responses occur in the pretraining text, e.g. line {leaked.FirstOrDefault()?.Line}");
            Assert.DoesNotContain(test.Records, r => text.Contains(InstructTemplate.Format(r), StringComparison.Ordinal));

            var kept = InstructPretrainText.Kept(train, test);
            Assert.InRange(kept.Count, train.Count - 200, train.Count);   // only test duplicates are left out
            Assert.All(kept.Take(50).Concat(kept.TakeLast(50)), r => Assert.Contains(InstructTemplate.Format(r), text, StringComparison.Ordinal));
            Assert.Contains("It is a truth universally acknowledged", text, StringComparison.Ordinal);   // Austen stays

            using var split = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "dolly-split", "split.json")));
            Assert.Equal(13, split.RootElement.GetProperty("split_seed").GetInt32());
            Assert.Equal(kept.Count, split.RootElement.GetProperty("pretraining_records").GetInt32());
            Assert.False(File.Exists(Path.Combine(output, "train", "test.jsonl")));
            Assert.DoesNotContain("### Instruction:", string.Concat(Directory.GetFiles(Path.Combine(output, "val")).Select(File.ReadAllText)), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
