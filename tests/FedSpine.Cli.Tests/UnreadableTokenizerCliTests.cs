// Commands that need no text (prune by magnitude, export, convert, bench --model) work on an HF folder whose tokenizer.json
// they cannot read, and carry the file along unchanged; commands that need text still refuse it, naming the file.
namespace FedSpine.Cli.Tests;

public sealed class UnreadableTokenizerCliTests : IDisposable
{
    private const string Unreadable = """{"model": {"type": "WordPiece", "vocab": {"a": 0}}}""";

    private readonly string _dir = Directory.CreateTempSubdirectory("fedspine-unreadable-tok-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>stories260K as an HF folder whose tokenizer.json is a WordPiece model (which FedSpine does not read).</summary>
    private string Folder()
    {
        string folder = Path.Combine(_dir, "model");
        var convert = CliRunner.Run("convert", "--model", SharedData.Stories260K, "--out", folder);
        Assert.True(convert.ExitCode == 0, convert.Stderr);
        File.WriteAllText(Path.Combine(folder, "tokenizer.json"), Unreadable);
        return folder;
    }

    [SharedDataFact]
    public void Prune_export_convert_and_bench_work_and_copy_the_file()
    {
        string model = Folder();
        string pruned = Path.Combine(_dir, "pruned"), hf = Path.Combine(_dir, "hf"), converted = Path.Combine(_dir, "converted");
        var runs = new[]
        {
            CliRunner.Run("prune", "--model", model, "--sparsity", "0.5", "--importance", "magnitude", "--out", pruned),
            CliRunner.Run("export", "--model", model, "--format", "hf", "--out", hf),
            CliRunner.Run("export", "--model", model, "--format", "gguf", "--out", Path.Combine(_dir, "m.gguf")),
            CliRunner.Run("convert", "--model", model, "--out", converted),
            CliRunner.Run("bench", "--model", model, "--mode", "lora", "--steps", "1", "--batch", "1", "--seq-len", "8"),
        };
        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.Stderr));
        foreach (string folder in new[] { pruned, hf, converted })
        {
            Assert.Equal(Unreadable, File.ReadAllText(Path.Combine(folder, "tokenizer.json")));
        }
        Assert.Contains("warning: the model's tokenizer was not read", runs[0].Stderr);
        Assert.Contains("WordPiece", runs[0].Stderr);
    }

    [SharedDataFact]
    public void Generate_and_prune_with_data_still_refuse_naming_the_file()
    {
        string model = Folder();
        var generate = CliRunner.Run("generate", "--model", model, "--prompt", "Once", "--steps", "4");
        Assert.NotEqual(0, generate.ExitCode);
        Assert.StartsWith("error: ", generate.Stderr);
        Assert.Contains("tokenizer.json", generate.Stderr);
        var prune = CliRunner.Run("prune", "--model", model, "--sparsity", "0.5", "--importance", "taylor", "--data",
            SharedData.File("data/vader/movieReviewSnippets_GroundTruth.txt"), "--out", Path.Combine(_dir, "p"));
        Assert.NotEqual(0, prune.ExitCode);
        Assert.Contains("WordPiece", prune.Stderr);
    }
}
