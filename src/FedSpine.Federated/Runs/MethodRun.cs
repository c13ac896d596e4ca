// Runs one method of a simulated run from round 1 (or from its checkpoint) to the end: builds the devices and the server,
// runs the rounds through RoundLoop with the accuracy curve (keeping the last K round checkpoints; wall_s adds up over
// resumed sessions), and finishes with the final device models and result.json. The instruct task's curve and results
// are response perplexity (lower is better; accuracy fields hold 1/perplexity).
using System.Diagnostics;
using System.Text.Json;
using FedSpine.Federated.Aggregation;
using FedSpine.Federated.Devices;
using FedSpine.Federated.Rounds;
using FedSpine.Model;
using FedSpine.Model.Formats;
using FedSpine.Model.Lora;
using FedSpine.Model.Tasks;
using FedSpine.Model.Tokenizers;
using FedSpine.Pruning;
using FedSpine.Tensors;

namespace FedSpine.Federated.Runs;

public sealed class MethodRun
{
    private readonly RunConfig _config;
    private readonly MethodSpec _spec;
    private readonly FederatedData? _data;
    private readonly FederatedInstructData? _instruct;
    private readonly ITokenizer _tokenizer;
    private double _wallBefore;   // real seconds of the sessions before this one (from the checkpoint)

    public MethodRun(RunPlan plan, MethodSpec spec, LlamaWeights model, ITokenizer tokenizer, FederatedData data, string folder)
    {
        _config = plan.Config;
        _spec = spec;
        _data = data;
        _tokenizer = tokenizer;
        Folder = folder;
        Local = plan.Local with { Tokens = data.GlobalTest.MaxTokens };
        Devices = data.Devices.Select((d, i) => new DeviceRuntime(i, model, d.Train, d.Test, Local, RunPlan.DeviceSeed(_config, i))).ToList();
        Server = plan.CreateServer(spec, model.Config, data.Labels.Count, Devices.Select(d => d.Mask).ToList(),
            Devices.Select(d => d.SampleCount).ToList());
    }

    /// <summary>An instruct-task method: no classification head; devices train through the frozen LM head.</summary>
    public MethodRun(RunPlan plan, MethodSpec spec, LlamaWeights model, ITokenizer tokenizer, FederatedInstructData data, string folder)
    {
        _config = plan.Config;
        _spec = spec;
        _instruct = data;
        _tokenizer = tokenizer;
        Folder = folder;
        Local = plan.Local with { Tokens = data.GlobalTest.MaxTokens };
        Devices = data.Devices.Select((d, i) => new DeviceRuntime(i, model, d.Train, d.Test, Local, RunPlan.DeviceSeed(_config, i))).ToList();
        Server = plan.CreateServer(spec, model.Config, classes: 0, Devices.Select(d => d.Mask).ToList(), Devices.Select(d => d.SampleCount).ToList());
    }

    public string Folder { get; }
    public LocalTrainingSettings Local { get; }
    public FederatedServer Server { get; }
    public IReadOnlyList<DeviceRuntime> Devices { get; }
    public List<RoundPoint> Rounds { get; } = [];

    public string CheckpointPath => Path.Combine(Folder, RunCheckpoint.FileName);
    public string MetricsPath => Path.Combine(Folder, "metrics.jsonl");
    public string ResultPath => Path.Combine(Folder, "result.json");

    /// <summary>Continues from the checkpoint when there is one (dropping metrics logged after it).</summary>
    public void ResumeIfCheckpointed()
    {
        if (!File.Exists(CheckpointPath))
        {
            return;
        }
        var state = RunCheckpoint.Load(CheckpointPath, Server, Devices);
        Rounds.AddRange(state.Rounds);
        _wallBefore = state.WallSeconds;
        RoundLoop.TrimMetrics(MetricsPath, state.Round);
    }

    /// <summary>Runs rounds until the last (or until stopAfterRound, checkpointing there) and returns the result, or
    /// null when stopped early.</summary>
    public MethodResult? Run(IDeviceTransport transport, Action<RoundPoint>? onRound = null, int? stopAfterRound = null)
    {
        Directory.CreateDirectory(Folder);
        var watch = Stopwatch.StartNew();
        if (_instruct is not null)
        {
            return RunInstruct(transport, onRound, stopAfterRound, watch);
        }
        var evalSet = EvaluationSet(_data!.GlobalTest);
        var loop = new RoundLoop(Server, _config.Rounds, _config.CheckpointEvery, MetricsPath, Rounds,
            () =>
            {
                RunCheckpoint.Save(CheckpointPath, Server, Devices, Rounds, _wallBefore + watch.Elapsed.TotalSeconds);
                CheckpointHistory.Keep(CheckpointPath, Server.Round, _config.KeepCheckpoints);
            },
            round => round % _config.EvalEvery == 0 || round == _config.Rounds
                ? FinalEvaluation.Accuracies(Server, Devices, evalSet, Local).Average()
                : null);
        if (!loop.Run(transport, (_, point) => onRound?.Invoke(point), stopAfterRound))
        {
            return null;
        }
        var scores = FinalEvaluation.Run(Server, Devices, _data.GlobalTest, Local, _tokenizer,
            _config.SaveModels ? Path.Combine(Folder, "devices") : null);
        var finals = scores.Devices;
        var result = new MethodResult
        {
            Method = _spec.Name,
            FinalAccuracy = finals.Average(f => f.Accuracy),
            MinDeviceAccuracy = finals.Min(f => f.Accuracy),
            MaxDeviceAccuracy = finals.Max(f => f.Accuracy),
            FinalLocalAccuracy = RoundPoint.Finite(Server.MeanAccuracy()),
            FinalSparsity = finals.Average(f => f.Sparsity.PrunableSparsity),
            MinDeviceSparsity = finals.Min(f => f.Sparsity.PrunableSparsity),
            MaxDeviceSparsity = finals.Max(f => f.Sparsity.PrunableSparsity),
            FinalOverallSparsity = finals.Average(f => f.Sparsity.OverallSparsity),
            SimTimeSeconds = Server.SimTime,
            BytesSent = Server.BytesSent,
            LatencyMsPerToken = finals.Average(f => f.LatencyMsPerToken),
            MeanParameters = finals.Average(f => (double)f.Parameters),
            Rounds = Server.Round,
            WallSeconds = _wallBefore + watch.Elapsed.TotalSeconds,
            Curve = Rounds.ToList(),
            FinalExamples = _data.GlobalTest.Count,
            CurveExamples = evalSet.Count,
            ExampleAccuracy = scores.ExampleAccuracy,
        };
        AtomicFile.WriteAllText(ResultPath, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return result;
    }

    private MethodResult? RunInstruct(IDeviceTransport transport, Action<RoundPoint>? onRound, int? stopAfterRound, Stopwatch watch)
    {
        var test = _instruct!.GlobalTest;
        int[] sample = SampleIndices(test.Count, _config.EvalExamples);
        var evalSet = sample.Length == test.Count ? test : test.Subset(sample, $"{test.Source} (sample of {sample.Length})");
        var loop = new RoundLoop(Server, _config.Rounds, _config.CheckpointEvery, MetricsPath, Rounds,
            () =>
            {
                RunCheckpoint.Save(CheckpointPath, Server, Devices, Rounds, _wallBefore + watch.Elapsed.TotalSeconds);
                CheckpointHistory.Keep(CheckpointPath, Server.Round, _config.KeepCheckpoints);
            },
            round => round % _config.EvalEvery == 0 || round == _config.Rounds
                ? 1 / InstructFinalEvaluation.MeanPerplexity(InstructFinalEvaluation.Perplexities(Server, Devices, evalSet, Local))
                : null,
            PerplexityCurve: true);
        if (!loop.Run(transport, (_, point) => onRound?.Invoke(point), stopAfterRound))
        {
            return null;
        }
        var own = Devices.Select(d => _instruct.CategoriesOf(d.Id)).ToList();
        var finals = InstructFinalEvaluation.Run(Server, Devices, test, _instruct.Test, _config.RougeSamples, Local, _tokenizer,
            _config.SaveModels ? Path.Combine(Folder, "devices") : null);
        var result = InstructFinalEvaluation.WithPerplexities(new MethodResult
        {
            Method = _spec.Name,
            FinalRougeL = RoundPoint.Finite(finals.Average(f => f.RougeL)),
            FinalLocalAccuracy = RoundPoint.Finite(Server.MeanAccuracy()),
            FinalSparsity = finals.Average(f => f.Sparsity.PrunableSparsity),
            MinDeviceSparsity = finals.Min(f => f.Sparsity.PrunableSparsity),
            MaxDeviceSparsity = finals.Max(f => f.Sparsity.PrunableSparsity),
            FinalOverallSparsity = finals.Average(f => f.Sparsity.OverallSparsity),
            SimTimeSeconds = Server.SimTime,
            BytesSent = Server.BytesSent,
            LatencyMsPerToken = finals.Average(f => f.LatencyMsPerToken),
            MeanParameters = finals.Average(f => (double)f.Parameters),
            Rounds = Server.Round,
            WallSeconds = _wallBefore + watch.Elapsed.TotalSeconds,
            Curve = Rounds.ToList(),
            CurveExamples = evalSet.Count,
            Responses = finals[0].Responses.Take(ShownResponses).Select(r => new ShownResponse(finals[0].Device, r.Record.Category,
                r.Record.Instruction, r.Record.Context, r.Record.Response, r.Response, r.RougeL)).ToList(),
        }, Devices.Select(d => d.Id).ToList(), finals.Select(f => f.Perplexity).ToList(), own, test);
        AtomicFile.WriteAllText(ResultPath, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return result;
    }

    /// <summary>Responses of device 0's final model kept in result.json for the report.</summary>
    public const int ShownResponses = 3;

    /// <summary>The evaluation set of the accuracy curve: the global test set, or a fixed seeded sample of eval_examples of
    /// it (the same for every method and seed). The final accuracy is always measured on the whole global test set.</summary>
    private TokenizedClassificationSet EvaluationSet(TokenizedClassificationSet test)
    {
        if (_config.EvalExamples is not int n || n >= test.Count)
        {
            return test;
        }
        return test.Subset(SampleIndices(test.Count, n), $"{test.Source} (sample of {n})");
    }

    /// <summary>The curve's fixed seeded sample of evalExamples of count test examples (all of them when not fewer): the
    /// same for every method, seed and run kind (a deployed server samples the same).</summary>
    public static int[] SampleIndices(int count, int? evalExamples)
    {
        if (evalExamples is not int n || n >= count)
        {
            return Enumerable.Range(0, count).ToArray();
        }
        var order = Enumerable.Range(0, count).ToArray();
        var rng = new Rng(0x7E57UL);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order.Take(n).Order().ToArray();
    }
}
