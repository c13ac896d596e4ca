// `fedspine experiment`: every method (and variant) of a config over several seeds, each (arm, seed) a resumable simulate
// run folder, then comparison.json, report.md and plots: time to accuracy, final accuracy and paired differences with 95% intervals.
using System.Globalization;
using FedSpine.Cli.Experiment;
using FedSpine.Cli.Infrastructure;
using FedSpine.Federated.Experiments;
using FedSpine.Model.Formats;

namespace FedSpine.Cli.Commands;

internal static class ExperimentCommand
{
    public static System.CommandLine.Command Create()
    {
        var config = new System.CommandLine.Option<string?>("--config") { Description = "experiment config (.json, .yaml, .yml): run config keys plus seeds, variants, reference, smoothing_window" };
        var seeds = new System.CommandLine.Option<string?>("--seeds") { Description = "comma-separated seeds, replacing the config's (e.g. 1,2,3) [default: the config's seeds, else its seed]" };
        var output = new System.CommandLine.Option<string?>("--out") { Description = "experiment folder [default: runs/experiment-<task>-<time>]" };
        var resume = new System.CommandLine.Option<string?>("--resume") { Description = "continue the experiment in this folder (complete runs are skipped, the rest resume from their checkpoints)" };
        var stopAfter = new System.CommandLine.Option<int?>("--stop-after") { Description = "stop the run in progress after this round (checkpointed; continue with --resume)" };
        var command = new System.CommandLine.Command("experiment", "Compares methods over several seeds: time to accuracy, final accuracy, paired 95% intervals, plots")
        {
            config, seeds, output, resume, stopAfter,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            string folder;
            ExperimentConfig experiment;
            if (parse.GetValue(resume) is string resumeDir)
            {
                if (parse.GetValue(config) is not null || parse.GetValue(seeds) is not null || parse.GetValue(output) is not null)
                {
                    throw new ArgumentException("--resume continues with the experiment's saved config; drop --config, --seeds and --out");
                }
                folder = resumeDir;
                experiment = ExperimentRunner.LoadConfig(folder);
            }
            else
            {
                string path = parse.GetValue(config) ?? throw new ArgumentException("--config: an experiment needs a config file (or --resume DIR)");
                experiment = ExperimentConfig.Load(path, parse.GetValue(seeds) is string s ? ParseSeeds(s) : null);
                folder = parse.GetValue(output) ?? Path.Combine("runs",
                    $"experiment-{experiment.Base.Task}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
                if (File.Exists(Path.Combine(folder, ExperimentRunner.ConfigFile)))
                {
                    throw new ArgumentException($"--out: {folder} already holds an experiment; continue it with --resume {folder} or choose another folder");
                }
            }
            var runner = new ExperimentRunner(experiment, folder);
            Console.Error.WriteLine($"experiment: {string.Join(", ", experiment.Arms.Select(a => a.Name))} x seeds {string.Join(",", experiment.Seeds)} " +
                                    $"on {experiment.Base.Task}; {experiment.Base.Devices}; {experiment.Base.Rounds} rounds x {experiment.Base.LocalSteps} local steps; folder {folder}");
            var comparison = runner.Run(new ExperimentProgress(), parse.GetValue(stopAfter));
            if (comparison is null)
            {
                Console.Out.WriteLine($"stopped after round {parse.GetValue(stopAfter)}; continue with: fedspine experiment --resume {folder}");
                return 0;
            }
            var plots = ExperimentPlots.Write(comparison, folder);
            string report = Path.Combine(folder, "report.md");
            AtomicFile.WriteAllText(report, ExperimentReport.Markdown(comparison, plots));
            Console.Out.WriteLine(ExperimentSummary.Text(comparison));
            Console.Out.WriteLine($"report: {report}; comparison: {Path.Combine(folder, ExperimentRunner.ComparisonFile)}; plots: {string.Join(", ", plots)}");
            return 0;
        }));
        return command;
    }

    private static ulong[] ParseSeeds(string text)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var seeds = new ulong[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!ulong.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out seeds[i]))
            {
                throw new ArgumentException($"--seeds: '{parts[i]}' is not a seed (expected comma-separated non-negative integers)");
            }
        }
        if (seeds.Length == 0 || seeds.Distinct().Count() != seeds.Length)
        {
            throw new ArgumentException("--seeds: give at least one seed, each once");
        }
        return seeds;
    }
}
