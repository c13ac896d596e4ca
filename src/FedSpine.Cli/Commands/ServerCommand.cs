// `fedspine server`: hosts one method of a run for real devices over HTTP(S): the run flags of simulate (or --config),
// per-device tokens in --tokens (created if absent), the same run folder as simulate, a checkpoint every round (the last K
// kept), --resume [--from-round N] to continue a run folder, and SIGTERM/SIGINT as a graceful stop (exit 0).
using System.CommandLine;
using System.Globalization;
using FedSpine.Cli.Infrastructure;
using FedSpine.Deploy.Server;
using FedSpine.Federated.Runs;

namespace FedSpine.Cli.Commands;

internal static class ServerCommand
{
    public static Command Create()
    {
        var urls = new Option<string>("--urls") { Description = "address(es) to listen on, ';'-separated", DefaultValueFactory = _ => "http://127.0.0.1:5000" };
        var output = new Option<string?>("--out") { Description = "run folder [default: runs/server-<task>-<time>]" };
        var expect = new Option<int?>("--expect-devices") { Description = "number of devices (ids 0..N-1)" };
        var tokens = new Option<string>("--tokens") { Description = "token file ('device-id token' lines); created with random tokens if absent", Required = true };
        var resume = new Option<string?>("--resume") { Description = "continue the run in this folder from its last checkpoint" };
        var config = new Option<string?>("--config") { Description = "run config file (.json, .yaml or .yml); flags override its keys" };
        var model = new Option<string?>("--model") { Description = "base model (the server reads its shapes) [default: models/fedspine-base]" };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "tokenizer.json or tokenizer.bin (optional on the server)" };
        var task = new Option<string?>("--task") { Description = "spam, sentiment, classify or instruct [default: spam]" };
        var data = new Option<string?>("--data") { Description = "the task's data, read for its class names (or give --labels); instruct: the Dolly/Alpaca file, whose fixed test split the server scores the devices' models on" };
        var labels = new Option<string?>("--labels") { Description = "comma-separated class names, instead of reading --data" };
        var devices = new Option<string?>("--devices") { Description = "device classes, e.g. \"2 tx2,2 agx\" (memory, HetLoRA ranks) [default: N agx]" };
        var rounds = new Option<int?>("--rounds") { Description = "federated rounds [default: 12]" };
        var localSteps = new Option<int?>("--local-steps") { Description = "LoRA steps per device per round [default: 20]" };
        var sparsity = new Option<double?>("--sparsity") { Description = "final sparsity S* [default: 0.5]" };
        var methods = new Option<string?>("--methods") { Description = $"one of {string.Join(",", MethodCatalog.Names)} [default: fedspine]" };
        var seed = new Option<ulong?>("--seed") { Description = "seed of everything [default: 1]" };
        var deadline = new Option<double?>("--deadline") { Description = "round deadline in reported seconds (late uploads are dropped)" };
        var fraction = new Option<double?>("--fraction") { Description = "share of devices selected per round [default: 1]" };
        var roundTimeout = new Option<double>("--round-timeout") { Description = "real seconds a round waits for uploads", DefaultValueFactory = _ => 600 };
        var deviceWait = new Option<double>("--device-wait") { Description = "real seconds to wait for all devices before the first round", DefaultValueFactory = _ => 600 };
        var linger = new Option<double>("--linger") { Description = "seconds to stay up after the run so devices learn it is over", DefaultValueFactory = _ => 15 };
        var cert = new Option<string?>("--cert") { Description = "TLS certificate for https URLs (.pfx, or PEM with --cert-key)" };
        var certKey = new Option<string?>("--cert-key") { Description = "PEM private key of --cert" };
        var certPassword = new Option<string?>("--cert-password") { Description = "password of a .pfx --cert" };
        var jsonLogs = new Option<bool>("--log-json") { Description = "structured logs as JSON lines on stderr" };
        var fromRound = new Option<int?>("--from-round") { Description = "with --resume: continue from this kept round checkpoint instead of the latest" };
        var insecure = new Option<bool>("--insecure-http") { Description = "allow plain http:// on a non-loopback address (tokens in clear text)" };
        var maxConnections = new Option<long>("--max-connections") { Description = "most open connections at once", DefaultValueFactory = _ => 1000 };
        var headerTimeout = new Option<double>("--header-timeout") { Description = "seconds a client has to send a request's headers", DefaultValueFactory = _ => 15 };
        var command = new Command("server", "Hosts a federated run for real devices over HTTP(S) (one method; same run folder as simulate)")
        {
            urls, output, expect, tokens, resume, config, model, tokenizer, task, data, labels, devices, rounds, localSteps, sparsity, methods, seed,
            deadline, fraction, roundTimeout, deviceWait, linger, cert, certKey, certPassword, jsonLogs, fromRound, insecure, maxConnections, headerTimeout,
        };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            var options = new ServerOptions
            {
                Urls = parse.GetValue(urls)!,
                RoundTimeout = Seconds(parse.GetValue(roundTimeout), "--round-timeout"),
                DeviceWait = Seconds(parse.GetValue(deviceWait), "--device-wait"),
                Linger = Seconds(parse.GetValue(linger), "--linger"),
                CertificatePath = parse.GetValue(cert),
                CertificateKeyPath = parse.GetValue(certKey),
                CertificatePassword = parse.GetValue(certPassword),
                JsonLogs = parse.GetValue(jsonLogs),
                AllowInsecureHttp = parse.GetValue(insecure),
                MaxConnections = parse.GetValue(maxConnections),
                HeaderTimeout = Seconds(parse.GetValue(headerTimeout), "--header-timeout"),
            };
            options.Validate();   // before anything is written: a corrected command must not find a half-made run

            Option[] runFlags = [config, model, tokenizer, task, data, labels, devices, rounds, localSteps, sparsity, methods, seed, deadline, fraction, output, expect];
            ServerRun run;
            TokenTable table;
            if (parse.GetValue(resume) is string folder)
            {
                var given = runFlags.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false });
                if (given is not null)
                {
                    throw new ArgumentException($"{given.Name}: --resume continues with the run's saved config; drop the other run flags");
                }
                run = ServerRun.Resume(folder, parse.GetValue(fromRound));
                table = TokenTable.Load(parse.GetValue(tokens)!, run.State.Devices);
            }
            else
            {
                if (parse.GetValue(fromRound) is not null)
                {
                    throw new ArgumentException("--from-round: only with --resume DIR (it picks which kept round checkpoint to continue from)");
                }
                int n = parse.GetValue(expect) ?? throw new ArgumentException("--expect-devices: required for a new run (the number of devices)");
                if (n < 1)
                {
                    throw new ArgumentException($"--expect-devices: must be at least 1 (got {n})");
                }
                var c = parse.GetValue(config) is string path ? RunConfigFile.Load(path) : new RunConfig();
                c = c with
                {
                    Model = parse.GetValue(model) ?? c.Model,
                    Tokenizer = parse.GetValue(tokenizer) ?? c.Tokenizer,
                    Task = parse.GetValue(task) ?? c.Task,
                    Data = parse.GetValue(data) ?? c.Data,
                    Devices = parse.GetValue(devices) ?? (c.Devices == new RunConfig().Devices ? $"{n} agx" : c.Devices),
                    Rounds = parse.GetValue(rounds) ?? c.Rounds,
                    LocalSteps = parse.GetValue(localSteps) ?? c.LocalSteps,
                    Sparsity = parse.GetValue(sparsity) ?? c.Sparsity,
                    Methods = parse.GetValue(methods) is string m ? m.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : c.Methods,
                    Seed = parse.GetValue(seed) ?? c.Seed,
                    DeadlineSeconds = parse.GetValue(deadline) ?? c.DeadlineSeconds,
                    Fraction = parse.GetValue(fraction) ?? c.Fraction,
                };
                string outFolder = parse.GetValue(output) ?? Path.Combine("runs", $"server-{c.Task}-{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
                var names = parse.GetValue(labels)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                run = ServerRun.Start(c, outFolder, n, names);
                table = TokenTable.LoadOrCreate(parse.GetValue(tokens)!, n);
            }
            var server = DeployServer.StartAsync(run, table, options).GetAwaiter().GetResult();
            Console.Error.WriteLine($"server: listening on {string.Join(" ", server.Addresses)}; run folder {run.Folder}; tokens {parse.GetValue(tokens)}");
            using var interrupted = CancellationTokenSource.CreateLinkedTokenSource(server.StopRequested);
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                interrupted.Cancel();
            };
            using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c =>
            {
                c.Cancel = true;   // stop like SIGINT: abandon the round in progress, keep the last checkpoint, exit 0
                interrupted.Cancel();
            });
            try
            {
                Task.WaitAny([server.Completion], interrupted.Token);
                var result = server.Completion.GetAwaiter().GetResult();
                string score = result.Metric != MethodResult.PerplexityMetric ? $"mean local accuracy {result.FinalLocalAccuracy:0.000}"
                    : result.CategoryPerplexity is not null ? $"global test response perplexity {result.FinalPerplexity:0.00}"
                    : $"mean local response perplexity {result.FinalPerplexity:0.00}";
                Console.Out.WriteLine($"finished {result.Rounds} rounds of {result.Method}: {score}, " +
                                      $"sparsity {result.FinalSparsity:0.000}, simulated {result.SimTimeSeconds:0.0} s, {result.BytesSent} bytes sent");
                Console.Out.WriteLine($"run folder: {run.Folder}");
                return 0;
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"server: stopped after round {run.Server.Round} (checkpoint {run.CheckpointPath}); the round in progress, if any, " +
                                        $"is abandoned; continue with: fedspine server --resume {run.Folder} --tokens {parse.GetValue(tokens)}");
                return 0;
            }
            finally
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }));
        return command;
    }

    private static TimeSpan Seconds(double value, string flag) =>
        value > 0 && double.IsFinite(value) ? TimeSpan.FromSeconds(value) : throw new ArgumentException($"{flag}: must be a positive number of seconds (got {value})");
}
