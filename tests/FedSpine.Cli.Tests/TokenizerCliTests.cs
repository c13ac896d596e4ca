// `fedspine tokenizer train` as a process: trains on one Austen novel, writes a tokenizer.json of the asked size that
// loads and encodes, reports the size and compression; missing inputs fail with one line naming the file.
using FedSpine.Model.Tokenizers;

namespace FedSpine.Cli.Tests;

public sealed class TokenizerCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fedspine-tokenizer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SharedDataFact]
    public void TrainWritesATokenizerThatLoads()
    {
        string novel = SharedData.File("data/austen/persuasion.txt");
        string path = Path.Combine(_dir, "out", "tokenizer.json");
        var result = CliRunner.Run("tokenizer", "train", "--input", novel, "--vocab-size", "512", "--out", path);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("vocab size: 512", result.StdoutText);
        Assert.Matches(@"tokens per character: 0\.[0-4]\d*", result.StdoutText);
        var tokenizer = HfTokenizer.Load(path);
        Assert.Equal(512, tokenizer.VocabSize);
        string line = File.ReadLines(novel).First(l => l.Length > 40);
        Assert.Equal(line, tokenizer.Decode(tokenizer.Encode(line, bos: true, eos: false)));
    }

    [Fact]
    public void MissingInputIsOneClearError()
    {
        string missing = Path.Combine(_dir, "missing.txt");
        var result = CliRunner.Run("tokenizer", "train", "--input", missing, "--vocab-size", "512", "--out", Path.Combine(_dir, "t.json"));
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"error: text file not found: '{missing}'", result.Stderr.Trim());
    }
}
