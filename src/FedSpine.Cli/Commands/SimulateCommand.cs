// `fedspine simulate`: federated prune-and-tune on simulated heterogeneous devices. A run config (JSON/YAML) plus flag
// overrides; defaults run FedSpine on the bundled model and spam task; --compare adds the baselines; --resume continues.
using System.CommandLine;
using System.Globalization;
using FedSpine.Cli.Infrastructure;
using FedSpine.Cli.Simulate;
using FedSpine.Federated.Runs;

namespace FedSpine.Cli.Commands;

internal static class SimulateCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "run config file (.json, .yaml or .yml); flags override its keys" };
        var model = new Option<string?>("--model") { Description = "base model: HF folder or llama2.c .bin [default: models/fedspine-base]" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "tokenizer.json or tokenizer.bin [default: the model folder's]" };
        var task = new Option<string?>("--task") { Description = "spam, sentiment (VADER movie snippets), classify or instruct (Dolly/Alpaca JSONL) [default: spam]" };
        var data = new Option<string?>("--data") { Description = "training data split over the devices [spam default: data/spam/train.jsonl]" };
        var evalData = new Option<string?>("--eval-data") { Description = "global test set [spam default: data/spam/test.jsonl]" };
        var devices = new Option<string?>("--devices") { Description = "device mix, e.g. \"6 tx2,10 nx,4 agx\" (presets: tx2, nx, agx, phone) [default: 3 tx2,3 nx,2 agx]" };
        var rounds = new Option<int?>("--rounds") { Description = "federated rounds [default: 16]" };
        var localSteps = new Option<int?>("--local-steps") { Description = "LoRA steps per device per round [default: 15]" };
        var sparsity = new Option<double?>("--sparsity") { Description = "final sparsity S* of every pruning method [default: 0.5]" };
        var methods = new Option<string?>("--methods") { Description = $"comma-separated: {string.Join(",", MethodCatalog.Names)} [default: fedspine]" };
        var compare = new Option<bool>("--compare") { Description = "run fedspine and every baseline" };
        var partition = new Option<string?>("--partition") { Description = "dirichlet:ALPHA, iid or group [default: dirichlet:0.5]" };
        var seed = new Option<ulong?>("--seed") { Description = "seed of everything [default: 1]" };
        var target = new Option<double?>("--target-accuracy") { Description = "accuracy the methods are timed to (--task instruct: a response perplexity, reached at or below) [default: the best baseline's final]" };
        var deadline = new Option<double?>("--deadline") { Description = "round deadline in simulated seconds (late uploads are dropped)" };
        var fraction = new Option<double?>("--fraction") { Description = "share of devices selected per round [default: 1]" };
        var noModels = new Option<bool>("--no-save-models") { Description = "do not write every device's final model" };
        var output = new Option<string?>("--out") { Description = "run folder [default: runs/simulate-<task>-<time>]" };
        var resume = new Option<string?>("--resume") { Description = "continue the run in this folder from its last checkpoint" };
        var stopAfter = new Option<int?>("--stop-after") { Description = "stop after this round (checkpointed; continue with --resume)" };
        var fromRound = new Option<int?>("--from-round") { Description = "with --resume: continue every method from this kept round checkpoint" };
        var command = new Command("simulate", "Federated prune-and-tune on simulated heterogeneous devices; compares methods")
        {
            config, model, tokenizer, task, data, evalData, devices, rounds, localSteps, sparsity, methods, compare, partition, seed,
            target, deadline, fraction, noModels, output, resume, stopAfter, fromRound,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            Option[] runFlags = [config, model, tokenizer, task, data, evalData, devices, rounds, localSteps, sparsity, methods, compare,
                partition, seed, target, deadline, fraction, noModels, output];
            string folder;
            RunConfig run;
            if (parse.GetValue(resume) is string resumeDir)
            {
                var given = runFlags.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false });
                if (given is not null)
                {
                    throw new ArgumentException($"{given.Name}: --resume continues with the run's saved config; drop the other run flags");
                }
                folder = resumeDir;
                run = SimulationRunner.LoadConfig(folder);
                if (parse.GetValue(fromRound) is int n)
                {
                    SimulationRunner.RewindTo(folder, run, n);
                }
            }
            else
            {
                if (parse.GetValue(fromRound) is not null)
                {
                    throw new ArgumentException("--from-round: only with --resume DIR (it picks which kept round checkpoint to continue from)");
                }
                run = parse.GetValue(config) is string path ? RunConfigFile.Load(path) : new RunConfig();
                run = run with
                {
                    Model = parse.GetValue(model) ?? run.Model,
                    Tokenizer = parse.GetValue(tokenizer) ?? run.Tokenizer,
                    Task = parse.GetValue(task) ?? run.Task,
                    Data = parse.GetValue(data) ?? run.Data,
                    EvalData = parse.GetValue(evalData) ?? run.EvalData,
                    Devices = parse.GetValue(devices) ?? run.Devices,
                    Rounds = parse.GetValue(rounds) ?? run.Rounds,
                    LocalSteps = parse.GetValue(localSteps) ?? run.LocalSteps,
                    Sparsity = parse.GetValue(sparsity) ?? run.Sparsity,
                    Methods = parse.GetValue(compare) ? MethodCatalog.Names
                        : parse.GetValue(methods) is string m ? m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : run.Methods,
                    Partition = parse.GetValue(partition) ?? run.Partition,
                    Seed = parse.GetValue(seed) ?? run.Seed,
                    TargetAccuracy = parse.GetValue(target) ?? run.TargetAccuracy,
                    DeadlineSeconds = parse.GetValue(deadline) ?? run.DeadlineSeconds,
                    Fraction = parse.GetValue(fraction) ?? run.Fraction,
                    SaveModels = !parse.GetValue(noModels) && run.SaveModels,
                };
                folder = parse.GetValue(output) ?? Path.Combine("runs",
                    $"simulate-{run.Task}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
                if (File.Exists(Path.Combine(folder, SimulationRunner.ConfigFile)))
                {
                    throw new ArgumentException($"--out: {folder} already holds a run; continue it with --resume {folder} or choose another folder");
                }
            }
            var runner = new SimulationRunner(run, folder);
            Console.Error.WriteLine($"simulate: {string.Join(", ", run.Methods)} on {run.Task} with {run.Model}; devices {run.Devices}; " +
                                    $"{run.Rounds} rounds x {run.LocalSteps} local steps; S* = {run.Sparsity.ToString(CultureInfo.InvariantCulture)}; run folder {folder}");
            var results = runner.Run(new ProgressObserver(), parse.GetValue(stopAfter));
            if (results is null)
            {
                Console.Out.WriteLine($"stopped after round {parse.GetValue(stopAfter)}; continue with: fedspine simulate --resume {folder}");
                return 0;
            }
            string table = SummaryTable.Text(results);
            string report = Path.Combine(folder, "report.md");
            File.WriteAllText(report, SummaryTable.Markdown(results, runner.ArmReports(), $"fedspine simulate: {run.Task}, {run.Devices}, S* = {run.Sparsity}"));
            Console.Out.WriteLine();
            Console.Out.Write(table);
            Console.Out.WriteLine();
            Console.Out.WriteLine($"run folder: {folder}");
            Console.Out.WriteLine($"report: {report}; summary: {Path.Combine(folder, SimulationRunner.SummaryFile)}; per-device metrics: {Path.Combine(folder, SimulationRunner.MetricsFile)}");
            if (run.SaveModels)
            {
                Console.Out.WriteLine($"final device models: {Path.Combine(folder, "methods", "<method>", "devices")}");
            }
            return 0;
        }));
        return command;
    }
}
