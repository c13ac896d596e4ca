// An in-process deployment small enough for protocol tests: a tiny random LLaMA saved as an HF folder, a run config for
// it (classes given, no data), a DeployServer on a free loopback port, and lightweight "echo" devices that answer each
// task with a valid report built from the task itself (no training), so only the server's behaviour is exercised.
using System.Net.Http.Headers;
using FedSpine.Deploy.Server;
using FedSpine.Deploy.Wire;
using FedSpine.Federated.Rounds;
using FedSpine.Federated.Runs;
using FedSpine.Model;
using FedSpine.Model.Formats;
using Microsoft.Extensions.Logging;

namespace FedSpine.Deploy.Tests;

internal sealed class TinyDeployment : IAsyncDisposable
{
    public static readonly LlamaConfig TinyConfig = new()
    {
        HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 8,
        VocabSize = 64, MaxPositionEmbeddings = 64,
    };

    private TinyDeployment(string folder, ServerRun run, TokenTable tokens, DeployServer server)
    {
        Folder = folder;
        Run = run;
        Tokens = tokens;
        Server = server;
        BaseUrl = server.Addresses.First(a => a.StartsWith("http://127.0.0.1", StringComparison.Ordinal));
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
    }

    public string Folder { get; }
    public ServerRun Run { get; }
    public TokenTable Tokens { get; }
    public DeployServer Server { get; }
    public string BaseUrl { get; }
    public HttpClient Http { get; }

    public static string SaveTinyModel(string folder)
    {
        string model = Path.Combine(folder, "tiny-model");
        HfModelFolder.Save(model, RandomModels.Weights(TinyConfig, 5, std: 0.1f));
        return model;
    }

    /// <param name="adjust">Changes to the server options (e.g. tighter Kestrel limits) before the server starts.</param>
    public static async Task<TinyDeployment> StartAsync(int devices, int rounds, TimeSpan roundTimeout, string method = "fedspine",
        ILoggerProvider? log = null, Func<ServerOptions, ServerOptions>? adjust = null)
    {
        string folder = Loopback.TempFolder("tiny");
        var config = new RunConfig
        {
            Model = SaveTinyModel(folder),
            Task = "classify",
            Devices = $"{devices} agx",
            Rounds = rounds,
            LocalSteps = 1,
            Methods = [method],
            MinDevices = 1,
            SaveModels = false,
        };
        var run = ServerRun.Start(config, Path.Combine(folder, "run"), devices, ["negative", "positive"]);
        var tokens = TokenTable.LoadOrCreate(Path.Combine(folder, "tokens.txt"), devices);
        var options = new ServerOptions
        {
            Urls = "http://127.0.0.1:0",
            RoundTimeout = roundTimeout,
            DeviceWait = TimeSpan.FromSeconds(30),
            Linger = TimeSpan.FromSeconds(2),
        };
        var server = await DeployServer.StartAsync(run, tokens, adjust?.Invoke(options) ?? options, log);
        return new TinyDeployment(folder, run, tokens, server);
    }

    public EchoDevice Device(int id) => new(Http, id, Tokens.Tokens[id]);

    /// <summary>Every value of the global LoRA and head, to show a refused request changed nothing.</summary>
    public float[] GlobalState() => Run.Server.Global.Modules.Values.SelectMany(m => m.A.Concat(m.B))
        .Concat(Run.Server.Global.HeadWeight).Concat(Run.Server.Global.HeadBias).ToArray();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>A device that does no training: it answers each task with the task's own factors and head.</summary>
internal sealed class EchoDevice(HttpClient http, int id, string token)
{
    public int Id { get; } = id;
    public string Token { get; } = token;

    public HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null, string? bearer = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer ?? Token);
        return request;
    }

    public async Task<HttpResponseMessage> Send(HttpMethod method, string path, HttpContent? content = null, string? bearer = null) =>
        await http.SendAsync(Request(method, path, content, bearer));

    public async Task Hello()
    {
        using var response = await Send(HttpMethod.Post, Routes.Hello, Json(new HelloRequest(Id)));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>The task bytes, or null with the poll state ("wait" or "finished").</summary>
    public async Task<(byte[]? Task, string State)> Poll(double waitSeconds = 10)
    {
        using var response = await Send(HttpMethod.Get, Routes.Task(Id, waitSeconds));
        response.EnsureSuccessStatusCode();
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        if (response.Content.Headers.ContentType?.MediaType == TaskMessage.ContentType)
        {
            return (body, "task");
        }
        return (null, WireJson.Deserialize<PollState>(System.Text.Encoding.UTF8.GetString(body), "poll").State);
    }

    public static DeviceReport Echo(RoundTask t) => new(t.RunId, t.Round, t.DeviceId, t.Mask, t.Factors, t.HeadWeight, t.HeadBias,
        SampleCount: 10, LossBefore: 1.0, LossAfter: 0.9, TrainLoss: 0.95, LocalAccuracy: 0.5, LocalTestCount: 4, ComputeFlops: 1e6,
        ComputeSeconds: 0.5, DownloadSeconds: 0.1, UploadSeconds: 0.1, WallSeconds: 0.01);

    public async Task<HttpResponseMessage> Upload(int round, byte[] body, string? bearer = null, int? slot = null) =>
        await Send(HttpMethod.Post, Routes.Report(slot ?? Id, round), new ByteArrayContent(body), bearer);

    /// <summary>Answers every task with an echo until the server says the run is over; returns the rounds answered.</summary>
    public async Task<int> RunUntilFinished()
    {
        await Hello();
        int answered = 0;
        while (true)
        {
            var (bytes, state) = await Poll();
            if (state == "finished")
            {
                return answered;
            }
            if (bytes is null)
            {
                continue;
            }
            var task = TaskMessage.Decode(bytes);
            using var response = await Upload(task.Round, ReportMessage.Encode(Echo(task)));
            answered += response.IsSuccessStatusCode ? 1 : 0;
        }
    }

    public static StringContent Json<T>(T value) => new(WireJson.Serialize(value), System.Text.Encoding.UTF8, "application/json");
}
