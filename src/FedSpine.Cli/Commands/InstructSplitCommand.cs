// `fedspine instruct-split`: writes the instruct task's fixed split of a Dolly/Alpaca file (the one finetune, simulate and
// partition use: seed 13, 10% of each category) as train.jsonl and test.jsonl, and the training split as pretraining text
// (train.txt, InstructPretrainText: no test response enters it), so a base model's recipe never pretrains on a test record.
using System.CommandLine;
using System.Text.Json;
using FedSpine.Cli.Infrastructure;
using FedSpine.Federated.Data;
using FedSpine.Model.Tasks;

namespace FedSpine.Cli.Commands;

internal static class InstructSplitCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Dolly or Alpaca JSONL file", Required = true };
        var output = new Option<string>("--out") { Description = "folder for train.jsonl, test.jsonl and train.txt", Required = true };
        var command = new Command("instruct-split", "Writes the instruct task's fixed train/test split and the training split as pretraining text")
        {
            data, output,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string path = parse.GetValue(data)!;
            string folder = parse.GetValue(output)!;
            var (train, test) = InstructDataset.Load(path).Split();
            Directory.CreateDirectory(folder);
            InstructDeviceFile.Write(Path.Combine(folder, "train.jsonl"), train, Enumerable.Range(0, train.Count).ToList(), []);
            InstructDeviceFile.Write(Path.Combine(folder, "test.jsonl"), test, [], Enumerable.Range(0, test.Count).ToList());
            int kept = InstructPretrainText.Write(Path.Combine(folder, "train.txt"), train, test);
            var summary = new
            {
                data = path,
                split_seed = InstructDataset.SplitSeed,
                test_fraction = InstructDataset.TestFraction,
                train = train.Count,
                test = test.Count,
                pretraining_records = kept,
                left_out_as_test_duplicates = train.Count - kept,
            };
            File.WriteAllText(Path.Combine(folder, "split.json"), JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }) + "\n");
            Console.Out.WriteLine($"{path}: {train.Count} training and {test.Count} test records to {folder}; train.txt holds {kept} training records " +
                                  $"({train.Count - kept} left out: they carry a test response)");
            return 0;
        }));
        return command;
    }
}
