// `fedspine tokenizer train`: learns a byte-fallback BPE tokenizer (LLaMA layout) from text files and writes it as
// tokenizer.json; prints the vocab size and the tokens per character it achieves on the training text.
using System.CommandLine;
using System.Diagnostics;
using FedSpine.Cli.Infrastructure;
using FedSpine.Model.Tokenizers;

namespace FedSpine.Cli.Commands;

internal static class TokenizerCommand
{
    public static Command Create() => new("tokenizer", "Tokenizer tools") { Train() };

    private static Command Train()
    {
        var input = new Option<string[]>("--input")
        {
            Description = "text files, or folders of .txt files", Required = true, AllowMultipleArgumentsPerToken = true,
        };
        var vocabSize = new Option<int>("--vocab-size") { Description = "tokens in the vocabulary (3 special + 256 bytes + characters + merges)", Required = true };
        var output = new Option<string>("--out") { Description = "tokenizer.json to write", Required = true };
        var coverage = new Option<double>("--character-coverage")
        {
            Description = "share of the text's characters that become base tokens; rarer ones fall back to bytes",
            DefaultValueFactory = _ => BpeTrainer.DefaultCharacterCoverage,
        };
        var command = new Command("train", "Train a byte-fallback BPE tokenizer on text and write it as tokenizer.json")
        {
            input, vocabSize, output, coverage,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var files = TextInputs.Files(parse.GetValue(input)!);
            var documents = files.Select(File.ReadAllText).ToList();
            var clock = Stopwatch.StartNew();
            int size = parse.GetValue(vocabSize);
            var bar = new ProgressBar("merges", size, "tok");
            var tokenizer = BpeTrainer.Train(documents, size, parse.GetValue(coverage), (done, total) => bar.Report(done));
            double seconds = clock.Elapsed.TotalSeconds;
            string path = parse.GetValue(output)!;
            if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder)
            {
                Directory.CreateDirectory(folder);
            }
            tokenizer.Save(path);
            long tokens = documents.Sum(d => (long)tokenizer.Encode(d, bos: false, eos: false).Length);
            long characters = documents.Sum(d => (long)d.Length);
            Console.Error.WriteLine($"trained on {files.Count} file(s), {characters:N0} characters, in {seconds:F1} s; wrote {path}");
            Console.WriteLine($"vocab size: {tokenizer.VocabSize}");
            Console.WriteLine($"tokens per character: {(double)tokens / Math.Max(1, characters):F4} ({tokens:N0} tokens / {characters:N0} characters)");
            return 0;
        }));
        return command;
    }
}
