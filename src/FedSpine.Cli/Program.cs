// Entry point of the `fedspine` command: federated fine-tuning and structured pruning of LLaMA models on weak devices.
// Each subcommand lives in Commands/; errors are one line on stderr with a non-zero exit code.
using System.CommandLine;
using FedSpine.Cli.Commands;
using FedSpine.Tensors;

namespace FedSpine.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        if (IsaPath.SettingError is string isaError)
        {
            Console.Error.WriteLine($"warning: {isaError}");
        }
        var root = new RootCommand("fedspine: federated fine-tuning and structured pruning of LLaMA-family models")
        {
            GenerateCommand.Create(),
            BenchCommand.Create(),
            ConvertCommand.Create(),
            FinetuneCommand.Create(),
            PruneCommand.Create(),
            EvalCommand.Create(),
            ExportCommand.Create(),
            TokenizerCommand.Create(),
            PretrainCommand.Create(),
            SimulateCommand.Create(),
            ExperimentCommand.Create(),
            PartitionCommand.Create(),
            InstructSplitCommand.Create(),
            ServerCommand.Create(),
            DeviceCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
