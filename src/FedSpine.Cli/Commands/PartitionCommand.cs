// `fedspine partition`: splits a task's training set over N devices exactly as `simulate` does for the same config
// (FederatedData.DeviceIndices) and writes one private data file per device (device-K.jsonl, train then local-test rows)
// plus partition.json (labels, sizes); a device given its file trains on the examples the simulated device trains on.
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
        var task = new Option<string?>("--task") { Description = "spam, sentiment or classify [default: spam]" };
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
            var (train, _) = FederatedData.LoadTask(run);
            var parts = FederatedData.DeviceIndices(run, train, count);
            string folder = parse.GetValue(output)!;
            Directory.CreateDirectory(folder);
            for (int d = 0; d < parts.Count; d++)
            {
                DeviceDataFile.Write(Path.Combine(folder, DeviceDataFile.FileName(d)), train, parts[d].Train, parts[d].Test);
            }
            var manifest = new
            {
                task = run.Task,
                data = run.Data,
                partition = run.Partition,
                seed = run.Seed,
                local_test_fraction = run.LocalTestFraction,
                labels = train.Labels,
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
