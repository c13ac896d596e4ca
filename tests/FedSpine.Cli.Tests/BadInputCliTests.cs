// Bad input to the CLI gives one clear line on stderr naming the file and the problem, a non-zero exit code,
// and never a stack dump: truncated or corrupt checkpoints, safetensors, configs and tokenizers, bad flags.
namespace FedSpine.Cli.Tests;

public sealed class BadInputCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("fedspine-bad-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [SharedDataFact]
    public void TruncatedBinCheckpoint()
    {
        string path = Path.Combine(_dir, "cut.bin");
        var bytes = File.ReadAllBytes(SharedData.Stories260K);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        AssertOneLineError(Generate(path, SharedData.Tok512), "cut.bin", "truncated");
    }

    [SharedDataFact]
    public void BinWithNonsenseHeader()
    {
        string path = Path.Combine(_dir, "junk.bin");
        var bytes = File.ReadAllBytes(SharedData.Stories260K);
        BitConverter.GetBytes(-7).CopyTo(bytes, 0); // dim
        File.WriteAllBytes(path, bytes);
        AssertOneLineError(Generate(path, SharedData.Tok512), "junk.bin");
    }

    [SharedDataFact]
    public void TruncatedTokenizer()
    {
        string path = Path.Combine(_dir, "tok.bin");
        var bytes = File.ReadAllBytes(SharedData.Tok512);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 10)]);
        AssertOneLineError(Generate(SharedData.Stories260K, path), "tok.bin");
    }

    [SharedDataFact]
    public void CorruptSafetensorsInFolder()
    {
        string folder = Converted();
        string file = Path.Combine(folder, "model.safetensors");
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..(bytes.Length - 100)]);
        AssertOneLineError(Generate(folder, null), "model.safetensors");
    }

    [SharedDataFact]
    public void SafetensorsHeaderClaimingHugeSize()
    {
        string folder = Converted();
        string file = Path.Combine(folder, "model.safetensors");
        var bytes = File.ReadAllBytes(file);
        BitConverter.GetBytes(long.MaxValue / 2).CopyTo(bytes, 0);
        File.WriteAllBytes(file, bytes);
        AssertOneLineError(Generate(folder, null), "model.safetensors");
    }

    [SharedDataFact]
    public void ConfigDisagreeingWithTensors()
    {
        string folder = Converted();
        string config = Path.Combine(folder, "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"intermediate_size\": 172", "\"intermediate_size\": 100"));
        AssertOneLineError(Generate(folder, null), "mlp");
    }

    [SharedDataTheory]
    [InlineData("\"model_type\": \"llama\"", "\"model_type\": \"gemma\"", "model_type")]
    [InlineData("\"attention_bias\": false", "\"attention_bias\": true", "attention_bias")]
    [InlineData("\"mlp_bias\": false", "\"mlp_bias\": true", "mlp_bias")]
    [InlineData("\"rope_theta\": 10000", "\"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0}, \"rope_theta\": 10000", "rope_scaling")]
    [InlineData("\"model_type\": \"llama\"", "\"model_type\": \"mistral\", \"sliding_window\": -1", "sliding_window")]
    [InlineData("\"model_type\": \"llama\"", "\"model_type\": \"qwen2\", \"use_sliding_window\": true", "use_sliding_window")]
    public void ConfigKeyThatIsNotImplementedIsNamed(string from, string to, string key)
    {
        string folder = Converted();
        string config = Path.Combine(folder, "config.json");
        string text = File.ReadAllText(config);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(config, text.Replace(from, to, StringComparison.Ordinal));
        AssertOneLineError(Generate(folder, null), key);
    }

    [SharedDataFact]
    public void TokenizerOfAnotherVocabulary()
    {
        AssertOneLineError(Generate(SharedData.Stories260K, SharedData.Llama32k), "vocab");
    }

    [Fact]
    public void MissingModel()
    {
        var result = CliRunner.Run("generate", "--model", Path.Combine(_dir, "nothing.bin"), "--prompt", "x");
        AssertOneLineError(result, "nothing.bin");
    }

    [Fact]
    public void UnknownFlagIsRejected()
    {
        var result = CliRunner.Run("generate", "--model", "m.bin", "--no-such-flag");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("--no-such-flag", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);
    }

    [Fact]
    public void BenchNeedsExactlyOneModelSource()
    {
        AssertOneLineError(CliRunner.Run("bench", "--mode", "lora"), "--preset");
    }

    private static CliResult Generate(string model, string? tokenizer) => tokenizer is null
        ? CliRunner.Run("generate", "--model", model, "--prompt", "Hi", "--steps", "8", "--temperature", "0")
        : CliRunner.Run("generate", "--model", model, "--tokenizer", tokenizer, "--prompt", "Hi", "--steps", "8", "--temperature", "0");

    private string Converted()
    {
        string folder = Path.Combine(_dir, "hf");
        var result = CliRunner.Run("convert", "--model", SharedData.Stories260K, "--tokenizer", SharedData.Tok512, "--out", folder);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return folder;
    }

    private static void AssertOneLineError(CliResult result, params string[] mentions)
    {
        Assert.NotEqual(0, result.ExitCode);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, "expected one line on stderr, got:\n" + result.Stderr);
        Assert.StartsWith("error: ", lines[0]);
        foreach (string m in mentions)
        {
            Assert.Contains(m, lines[0], StringComparison.OrdinalIgnoreCase);
        }
        Assert.Empty(result.Stdout);
    }
}
