// `fedspine partition`: splits a task's training set over N devices exactly as `simulate` does for the same config
// (FederatedData/FederatedInstructData.DeviceIndices) and writes one private data file per device (device-K.jsonl, train then
// local-test rows) plus partition.json (labels or categories, sizes); a device given its file trains as the simulated one.
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FedSpine.Cli.Infrastructure;
using FedSpine.Federated.Data;
using FedSpine.Federated.Devices;
using FedSpine.Federated.Runs;

namespace FedSpine.Cli.Commands;

internal static class PartitionCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "run config file (.json, .yaml or .yml); flags override its keys" };
        var task = new Option<string?>("--task") { Description = "spam, sentiment, classify or instruct [default: spam]" };
        var data = new Option<string?>("--data") { Description = "the task's data file [spam default: data/spam/train.jsonl]" };
        var evalData = new Option<string?>("--eval-data") { Description = "global test set (changes the training set of classify)" };
        var devices = new Option<string>("--devices") { Description = "number of devices (or a device mix such as \"2 tx2,2 agx\")", Required = true };
        var partition = new Option<string?>("--partition") { Description = "dirichlet:ALPHA, iid or group [default: dirichlet:0.5]" };
        var seed = new Option<ulong?>("--seed") { Description = "seed of the run [default: 1]" };
        var output = new Option<string>("--out") { Description = "folder for device-0.jsonl ... and partition.json", Required = true };
        var command = new Command("partition", "Writes one private data file per device, the split simulate uses for the same config")
        {
            config, task, data, evalData, devices, partition, seed, output,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var run = parse.GetValue(config) is string path ? RunConfigFile.Load(path) : new RunConfig();
            run = run with
            {
                Task = parse.GetValue(task) ?? run.Task,
                Data = parse.GetValue(data) ?? run.Data,
                EvalData = parse.GetValue(evalData) ?? run.EvalData,
                Partition = parse.GetValue(partition) ?? run.Partition,
                Seed = parse.GetValue(seed) ?? run.Seed,
            };
            string mix = parse.GetValue(devices)!;
            int count = int.TryParse(mix, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : DeviceMix.Parse(mix).Count;
            if (count < 1)
            {
                throw new ArgumentException($"--devices: must be at least 1 (got {mix})");
            }
            PartitionSpec.Parse(run.Partition);
            string folder = parse.GetValue(output)!;
            IReadOnlyList<(int[] Train, int[] Test)> parts;
            IReadOnlyList<string> names;
            if (FederatedInstructData.Handles(run.Task))
            {
                var (records, _) = FederatedInstructData.LoadTask(run);   // the fixed split: only training records go to devices
                parts = FederatedInstructData.DeviceIndices(run, records, count);
                names = records.Categories;
                Directory.CreateDirectory(folder);
                for (int d = 0; d < parts.Count; d++)
                {
                    InstructDeviceFile.Write(Path.Combine(folder, DeviceDataFile.FileName(d)), records, parts[d].Train, parts[d].Test);
                }
            }
            else
            {
                var (train, _) = FederatedData.LoadTask(run);
                parts = FederatedData.DeviceIndices(run, train, count);
                names = train.Labels;
                Directory.CreateDirectory(folder);
                for (int d = 0; d < parts.Count; d++)
                {
                    DeviceDataFile.Write(Path.Combine(folder, DeviceDataFile.FileName(d)), train, parts[d].Train, parts[d].Test);
                }
            }
            var manifest = new
            {
                task = run.Task,
                data = run.Data,
                partition = run.Partition,
                seed = run.Seed,
                local_test_fraction = run.LocalTestFraction,
                labels = names,   // the instruct task: its categories
                devices = parts.Select((p, d) => new { device = d, file = DeviceDataFile.FileName(d), train = p.Train.Length, test = p.Test.Length }),
            };
            File.WriteAllText(Path.Combine(folder, "partition.json"), JsonSerializer.Serialize(manifest, new JsonSerializerOptions { WriteIndented = true }) + "\n");
            Console.Out.WriteLine($"wrote {parts.Count} device files to {folder} ({run.Partition}, seed {run.Seed}): " +
                                  string.Join(", ", parts.Select((p, d) => $"device {d} {p.Train.Length}+{p.Test.Length}")));
            return 0;
        }));
        return command;
    }
}
