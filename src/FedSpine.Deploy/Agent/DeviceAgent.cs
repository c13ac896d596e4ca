// `fedspine device`: registers with the server, loads its base model and private data (labelled examples, or instruction
// records for an instruct run), then polls for round tasks and answers each with DeviceRuntime.Run, the simulator's device
// work. With a profile it is SimulatedDevice itself (same dropout draws and simulated times, so a deployment reproduces the
// simulation) and may sleep to imitate slower hardware; without one it reports measured times. Its mask and importance
// live in a state file, so it survives restarts.
using System.Diagnostics;
using System.Net;
using FedSpine.Deploy.Wire;
using FedSpine.Federated.Data;
using FedSpine.Federated.Devices;
using FedSpine.Federated.Rounds;
using FedSpine.Federated.Runs;
using FedSpine.Model;
using FedSpine.Model.Tasks;
using FedSpine.Pruning;

namespace FedSpine.Deploy.Agent;

public sealed class DeviceAgent
{
    private readonly AgentOptions _options;
    private readonly Action<string> _log;
    private DeviceRuntime? _runtime;
    private SimulatedDevice? _simulated;
    private DeviceStateFile? _state;
    private int _stateRound;   // the round whose end the runtime's mask and importance reflect (0: fresh)
    private double _lastUploadSeconds = double.NaN;

    public DeviceAgent(AgentOptions options, Action<string>? log = null)
    {
        _options = options;
        _log = log ?? (line => Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss.fff} device {options.Id}: {line}"));
    }

    /// <summary>Rounds this agent trained in this session.</summary>
    public int RoundsTrained { get; private set; }

    /// <summary>Runs until the server says the run is over; throws IOException when the server stays away, and
    /// UnauthorizedAccessException when it refuses the token.</summary>
    public async Task RunAsync(CancellationToken cancel = default)
    {
        using var client = new DeviceClient(_options, _log);
        var helloReply = await client.PostJson(Routes.Hello, new HelloRequest(_options.Id, _options.Profile, "fedspine-device"), cancel).ConfigureAwait(false);
        Check(helloReply, "hello");
        var hello = WireJson.Deserialize<HelloResponse>(helloReply.Text, "server hello");
        Prepare(hello);
        _log($"registered with run {hello.RunId} ({hello.Method}) as a {hello.DeviceClass}; round {hello.Round} of {hello.Rounds} done");
        while (true)
        {
            var reply = await client.Get(Routes.Task(_options.Id, _options.PollWait.TotalSeconds), cancel).ConfigureAwait(false);
            Check(reply, "task poll");
            if (reply.ContentType != TaskMessage.ContentType)
            {
                var state = WireJson.Deserialize<PollState>(reply.Text, "poll answer");
                foreach (string notice in state.Notices)
                {
                    _log($"server notice: {notice}");
                }
                if (state.State == "finished")
                {
                    _log($"the run is over (round {state.Round}); trained {RoundsTrained} rounds in this session");
                    return;
                }
                continue;
            }
            var task = TaskMessage.Decode(reply.Body, $"round task from {_options.Server}");
            await Answer(client, task, reply.Seconds, reply.Body.LongLength, cancel).ConfigureAwait(false);
        }
    }

    private void Prepare(HelloResponse hello)
    {
        if (hello.Device != _options.Id)
        {
            throw new InvalidDataException($"server hello is for device {hello.Device}, this is device {_options.Id}");
        }
        var config = FedSpine.Federated.Runs.RunConfigFile.Parse(hello.Config, "server's run config", yaml: false);
        var loaded = ModelLoader.Load(_options.Model, _options.Tokenizer, requireTokenizer: true);
        var local = RunPlan.LocalSettings(config, hello.MaxTokens);
        ulong seed = RunPlan.DeviceSeed(config, _options.Id);
        int trainCount, testCount;
        if (FederatedInstructData.Handles(config.Task))
        {
            // The instruct task: LoRA through the frozen LM head on the device's instruction records; its metric is 1/perplexity.
            var (train, test) = InstructDeviceFile.Read(_options.Data, config.LocalTestFraction, seed);
            _runtime = new DeviceRuntime(_options.Id, loaded.Weights, TokenizedInstructSet.Encode(train, loaded.Tokenizer!, hello.MaxTokens),
                TokenizedInstructSet.Encode(test, loaded.Tokenizer!, hello.MaxTokens), local, seed);
            (trainCount, testCount) = (train.Count, test.Count);
        }
        else
        {
            var (train, test) = DeviceDataFile.Read(_options.Data, hello.Labels);
            _runtime = new DeviceRuntime(_options.Id, loaded.Weights, TokenizedClassificationSet.Encode(train, loaded.Tokenizer!, hello.MaxTokens),
                TokenizedClassificationSet.Encode(test, loaded.Tokenizer!, hello.MaxTokens), local, seed);
            (trainCount, testCount) = (train.Count, test.Count);
        }
        _simulated = _options.Profile is string name ? new SimulatedDevice(_runtime, DeviceProfiles.Get(name), config.Seed) : null;
        _state = DeviceStateFile.Load(_options.EffectiveStatePath, hello.RunKey, _options.Id) ?? new DeviceStateFile(hello.RunKey, _options.Id, []);
        _log($"loaded {loaded.Source} and {trainCount}+{testCount} {config.Task} examples from {_options.Data}; state {_options.EffectiveStatePath} " +
             $"({_state.Snapshots.Count} snapshot(s))");
    }

    private async Task Answer(DeviceClient client, RoundTask task, double downloadSeconds, long bytesDown, CancellationToken cancel)
    {
        var runtime = _runtime!;
        if (TaskCheck.NonFinite(task) is string poisoned)
        {
            _log(poisoned);
            var refused = await client.PostJson(Routes.Decline(_options.Id, task.Round), new DeclineRequest(poisoned), cancel).ConfigureAwait(false);
            Report(refused, task.Round, "decline");
            return;
        }
        StepBackTo(task.Round);
        var received = Stopwatch.StartNew();
        DeviceReport? report;
        if (_simulated is not null)
        {
            report = _simulated.Run(task);
            if (report is null)
            {
                _log($"round {task.Round}: the profile's dropout draw says this round fails; declining");
                var declined = await client.PostJson(Routes.Decline(_options.Id, task.Round), new DeclineRequest("dropout drawn by the device profile"), cancel).ConfigureAwait(false);
                Report(declined, task.Round, "decline");
                return;
            }
        }
        else
        {
            var raw = runtime.Run(task);
            double rate = bytesDown / Math.Max(downloadSeconds, 1e-6);
            long bytesUp = MessageSize.Of(raw);
            double upload = double.IsNaN(_lastUploadSeconds) ? bytesUp / rate : _lastUploadSeconds;
            report = raw with { ComputeSeconds = raw.WallSeconds, DownloadSeconds = downloadSeconds, UploadSeconds = upload };
        }
        _stateRound = task.Round;
        _state = _state!.With(new DeviceSnapshot(task.Round, runtime.Mask, runtime.Importance.Heads.Select(h => h.ToArray()).ToList(),
            runtime.Importance.Channels.Select(c => c.ToArray()).ToList(), runtime.Importance.Updates));
        _state.Save(_options.EffectiveStatePath);
        RoundsTrained++;
        if (_simulated is not null && _options.Throttle)
        {
            var left = TimeSpan.FromSeconds(report.TotalSeconds) - received.Elapsed;
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left, cancel).ConfigureAwait(false);
            }
        }
        byte[] body = ReportMessage.Encode(report);
        var watch = Stopwatch.StartNew();
        var reply = await client.Post(Routes.Report(_options.Id, task.Round), body, ReportMessage.ContentType, cancel).ConfigureAwait(false);
        _lastUploadSeconds = watch.Elapsed.TotalSeconds;
        _log($"round {task.Round}: arm (step {task.Arm.PruneStep:0.###}, rank {task.Arm.Rank}), sparsity {task.Sparsity:0.###}, loss {report.LossBefore:0.0000} -> {report.LossAfter:0.0000}, " +
             $"{report.TotalSeconds:0.00} s reported, {report.WallSeconds:0.00} s computing");
        Report(reply, task.Round, "upload");
    }

    /// <summary>Puts the runtime back in the state it had when the round began: a resumed server may repeat a round this
    /// device already trained, and the simulation would have trained it from the earlier state.</summary>
    private void StepBackTo(int round)
    {
        var runtime = _runtime!;
        var snapshot = _state!.Before(round);
        int wanted = snapshot?.AfterRound ?? 0;
        if (wanted == _stateRound && !(_stateRound == 0 && runtime.Importance.Updates > 0))
        {
            return;
        }
        if (snapshot is null)
        {
            var full = PruningMask.Full(runtime.Mask.OriginalShapes);
            runtime.Restore(full, runtime.Importance.Heads.Select(h => new float[h.Length]).ToList(),
                runtime.Importance.Channels.Select(c => new float[c.Length]).ToList(), 0);
        }
        else
        {
            runtime.Restore(snapshot.Mask, snapshot.Heads, snapshot.Channels, snapshot.Updates);
        }
        if (_stateRound != 0 || wanted != 0)
        {
            _log($"round {round}: continuing from the state after round {wanted} (was after round {_stateRound})");
        }
        _stateRound = wanted;
    }

    private void Report(Reply reply, int round, string what)
    {
        if (reply.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            Check(reply, what);
        }
        if (!reply.Ok)
        {
            _log($"round {round}: the server refused the {what} ({(int)reply.Status}): {reply.Error}");
        }
    }

    private static void Check(Reply reply, string what)
    {
        if (reply.Status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new UnauthorizedAccessException($"server refused the {what} ({(int)reply.Status}): {reply.Error}");
        }
        if (!reply.Ok)
        {
            throw new InvalidDataException($"server answered the {what} with {(int)reply.Status}: {reply.Error}");
        }
    }
}
