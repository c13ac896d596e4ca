// `finetune --task instruct` and `generate --instruction` as processes: a tiny pruned instruct fine-tune writes
// instruct.json; generate answers with only the response from the merged model and from base + PEFT adapter; bad data
// files and misused flags are one error naming the file:line or the option.
using System.Text.Json;

namespace FedSpine.Cli.Tests;

public sealed class InstructCliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "fedspine-cli-instruct-" + Guid.NewGuid().ToString("N"));

    public InstructCliTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string BaseModel => Path.Combine(SharedData.RepoRoot!, "models", "fedspine-base");

    private string Data(params string[] lines)
    {
        string path = Path.Combine(_dir, $"data-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(path, lines);
        return path;
    }

    private string TinyDolly() => Data(Enumerable.Range(0, 24).Select(i =>
        $"{{\"instruction\": \"Name thing {i}.\", \"context\": \"{(i % 2 == 0 ? "" : "Things have names.")}\", \"response\": \"Thing {i}.\", \"category\": \"{(i % 3 == 0 ? "open_qa" : "brainstorming")}\"}}").ToArray());

    [Fact]
    public void A_pruned_instruct_finetune_then_generate_prints_only_the_response()
    {
        string outDir = Path.Combine(_dir, "out");
        var tune = CliRunner.Run("finetune", "--model", BaseModel, "--task", "instruct", "--data", TinyDolly(), "--steps", "3", "--batch", "2",
            "--seq-len", "40", "--sparsity", "0.25", "--schedule", "one-shot", "--rouge-samples", "2", "--max-new-tokens", "4", "--out", outDir);
        Assert.True(tune.ExitCode == 0, tune.Stderr + tune.StdoutText);
        Assert.Contains("response perplexity:", tune.StdoutText);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "instruct.json")));
        Assert.True(report.RootElement.GetProperty("after").GetProperty("response_perplexity").GetDouble() > 1);
        Assert.Equal(2, report.RootElement.GetProperty("after").GetProperty("per_category").EnumerateObject().Count());

        foreach (string[] model in new[] { new[] { "--model", Path.Combine(outDir, "model") },
                     new[] { "--model", Path.Combine(outDir, "base"), "--adapter", Path.Combine(outDir, "adapter") } })
        {
            var generate = CliRunner.Run(["generate", .. model, "--instruction", "Name thing 3.", "--context", "Things have names.", "--steps", "6", "--temperature", "0"]);
            Assert.True(generate.ExitCode == 0, generate.Stderr);
            Assert.DoesNotContain("###", generate.StdoutText);
            Assert.DoesNotContain("Name thing 3", generate.StdoutText);
            Assert.Contains("response tokens:", generate.Stderr);
        }
    }

    [Fact]
    public void Bad_instruct_input_is_one_error_naming_the_file_line_or_option()
    {
        string empty = Data();
        var result = CliRunner.Run("finetune", "--model", BaseModel, "--task", "instruct", "--data", empty, "--out", Path.Combine(_dir, "x"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"{empty}: empty file", result.Stderr);

        string noResponse = Data("{\"instruction\": \"a\", \"response\": \"b\"}", "{\"instruction\": \"a\", \"context\": \"\"}");
        result = CliRunner.Run("eval", "--model", BaseModel, "--task", "instruct", "--data", noResponse);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"{noResponse}:2: no string \"response\"", result.Stderr);

        result = CliRunner.Run("generate", "--model", BaseModel, "--context", "c", "--prompt", "p");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--context needs --instruction", result.Stderr);
    }

    [Fact]
    public void Bad_instruct_input_to_simulate_partition_and_server_is_one_error_line()
    {
        string noInstruction = Data("{\"instruction\": \"a\", \"response\": \"b\"}", "{\"context\": \"c\", \"response\": \"b\"}");
        string empty = Data("", "  ");
        string tiny = TinyDolly();   // two categories
        (string[] Args, string Expected)[] cases =
        [
            (["simulate", "--model", BaseModel, "--task", "instruct", "--data", noInstruction, "--out", Path.Combine(_dir, "s1")],
                $"{noInstruction}:2: no string \"instruction\" field"),
            (["simulate", "--model", BaseModel, "--task", "instruct", "--data", empty, "--out", Path.Combine(_dir, "s2")], $"{empty}: empty file"),
            (["simulate", "--model", BaseModel, "--task", "instruct", "--data", tiny, "--partition", "group", "--devices", "3 agx", "--out", Path.Combine(_dir, "s3")],
                "partition: group puts whole categories on devices, but"),
            (["partition", "--task", "instruct", "--data", noInstruction, "--devices", "2", "--out", Path.Combine(_dir, "p1")],
                $"{noInstruction}:2: no string \"instruction\" field"),
            (["partition", "--task", "instruct", "--data", tiny, "--partition", "group", "--devices", "3", "--out", Path.Combine(_dir, "p2")],
                "2 categories for 3 devices"),
            ([.. Server("v1", 3), "--config", GroupConfig(tiny), "--devices", "3 agx"], "2 categories for 3 devices"),
            ([.. Server("v2", 2), "--data", noInstruction, "--devices", "2 agx"], $"{noInstruction}:2: no string \"instruction\" field"),
        ];
        foreach (var (args, expected) in cases)
        {
            var result = CliRunner.Run(args);
            Assert.True(result.ExitCode != 0, string.Join(' ', args));
            // One error line (simulate may print its run header before it), naming the file:line or the option.
            string error = Assert.Single(result.Stderr.Split('\n'), l => l.StartsWith("error: ", StringComparison.Ordinal));
            Assert.Contains(expected, error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);   // no stack trace
        }
    }

    private string[] Server(string name, int devices) =>
        ["server", "--urls", "http://127.0.0.1:0", "--out", Path.Combine(_dir, name), "--expect-devices", $"{devices}", "--tokens", Path.Combine(_dir, name + "-tokens.txt"),
         "--model", BaseModel, "--task", "instruct", "--methods", "fedspine"];

    private string GroupConfig(string data)
    {
        string path = Path.Combine(_dir, $"group-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object> { ["data"] = data, ["partition"] = "group" }));
        return path;
    }

    [Fact]
    public void Partition_writes_instruct_device_files_with_only_training_records()
    {
        string tiny = TinyDolly();
        string parts = Path.Combine(_dir, "parts");
        var result = CliRunner.Run("partition", "--task", "instruct", "--data", tiny, "--partition", "group", "--devices", "2", "--out", parts);
        Assert.True(result.ExitCode == 0, result.Stderr);
        var (_, test) = FedSpine.Model.Tasks.InstructDataset.Load(tiny).Split();
        var heldOut = test.Records.Select(r => r.Instruction).ToHashSet();
        var categories = new List<string>();
        int records = 0;
        for (int d = 0; d < 2; d++)
        {
            var (train, local) = FedSpine.Federated.Data.InstructDeviceFile.Read(Path.Combine(parts, $"device-{d}.jsonl"), 0.2, seed: 1);
            var all = train.Records.Concat(local.Records).ToList();
            Assert.DoesNotContain(all, r => heldOut.Contains(r.Instruction));   // no global test record reaches a device
            categories.Add(Assert.Single(all.Select(r => r.Category).Distinct()));   // group: one category each
            records += all.Count;
        }
        Assert.Equal(24 - test.Count, records);
        Assert.Equal(["brainstorming", "open_qa"], categories.Order());
    }
}
