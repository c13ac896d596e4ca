// `fedspine server` as a running thing: Kestrel with the device endpoints (hello, task poll, upload, decline) and GET
// /status, and the round loop on its own thread driving FederatedServer.RunRound through HttpDeviceTransport. Every device
// request is authenticated (401), confined to its own slot (403), size-limited (413) and decoded strictly (400/409/422)
// before anything reaches the round engine; a refused request changes nothing and the server keeps serving.
using System.Security.Cryptography.X509Certificates;
using FedSpine.Deploy.Wire;
using FedSpine.Federated.Runs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FedSpine.Deploy.Server;

public sealed class DeployServer : IAsyncDisposable
{
    private const long HelloLimit = 64 * 1024;
    private const long AuthenticatedDrainLimit = 256L * 1024 * 1024;
    private readonly WebApplication _app;
    private readonly ServerRun _run;
    private readonly TokenTable _tokens;
    private readonly ServerOptions _options;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<int> _toldFinished = [];

    private DeployServer(WebApplication app, ServerRun run, TokenTable tokens, ServerOptions options)
    {
        _app = app;
        _run = run;
        _tokens = tokens;
        _options = options;
        _log = app.Logger;
        Transport = new HttpDeviceTransport(options.RoundTimeout, run.Server.Round);
        Status = new StatusBoard(run.Server.Settings.RunId, run.Server.Method, run.Config.Rounds, run.Server.Slots.Select(s => s.DeviceClass).ToList());
        Status.Round = run.Server.Round;
        Status.SimTime = run.Server.SimTime;
    }

    public HttpDeviceTransport Transport { get; }
    public StatusBoard Status { get; }

    /// <summary>The bound addresses (with the real port where 0 was asked for).</summary>
    public IReadOnlyList<string> Addresses =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <summary>Cancelled when the host is asked to stop (SIGTERM, SIGINT or SIGQUIT through the host's console lifetime).</summary>
    public CancellationToken StopRequested => _app.Lifetime.ApplicationStopping;

    /// <summary>Completes with the run's result when the last round is done and the linger time has passed.</summary>
    public Task<MethodResult> Completion { get; private set; } = Task.FromResult<MethodResult>(null!);

    /// <param name="alsoLogTo">A logger that receives every log event besides the console (tests read the log through it).</param>
    public static async Task<DeployServer> StartAsync(ServerRun run, TokenTable tokens, ServerOptions options, ILoggerProvider? alsoLogTo = null)
    {
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "fedspine-server" });
        builder.Logging.ClearProviders();
        if (alsoLogTo is not null)
        {
            builder.Logging.AddProvider(alsoLogTo);
        }
        if (options.JsonLogs)
        {
            builder.Logging.AddJsonConsole(o => o.TimestampFormat = "O");
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.WebHost.UseUrls(options.Urls);
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));   // a stop answers long polls at once
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;   // each endpoint enforces its own limit (413 with a clear message)
            k.Limits.MaxConcurrentConnections = options.MaxConnections;
            k.Limits.MaxConcurrentUpgradedConnections = 0;
            k.Limits.RequestHeadersTimeout = options.HeaderTimeout;
            k.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(130);   // longer than a long poll
            k.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(options.MinBodyBytesPerSecond, TimeSpan.FromSeconds(5));
            k.AddServerHeader = false;
            if (options.CertificatePath is string cert)
            {
                k.ConfigureHttpsDefaults(h => h.ServerCertificate = LoadCertificate(cert, options.CertificateKeyPath, options.CertificatePassword));
            }
        });
        if (options.CertificatePath is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
        }
        var app = builder.Build();
        var server = new DeployServer(app, run, tokens, options);
        server.MapEndpoints();
        await app.StartAsync().ConfigureAwait(false);
        server._log.LogInformation("fedspine server: run {RunId} ({Method}), {Devices} devices, rounds {Done}/{Rounds}, listening on {Urls}",
            run.Server.Settings.RunId, run.Server.Method, run.Server.Slots.Count, run.Server.Round, run.Config.Rounds, string.Join(" ", server.Addresses));
        server.Completion = Task.Factory.StartNew(server.RoundLoop, TaskCreationOptions.LongRunning).Unwrap();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task<MethodResult> RoundLoop()
    {
        int expected = _run.Server.Slots.Count;
        if (_run.Server.Round < _run.Config.Rounds)
        {
            _log.LogInformation("waiting for {Expected} devices (up to {Seconds} s)", expected, _options.DeviceWait.TotalSeconds);
            if (!Status.WaitForDevices(expected, _options.DeviceWait, _stop.Token))
            {
                _log.LogWarning("only {Seen} of {Expected} devices connected; starting anyway", Status.SeenCount, expected);
            }
        }
        Status.State = "running";
        var result = _run.Run(Transport, (summary, wall) =>
        {
            Status.RoundDone(summary, wall);
            if (_run.IsInstruct)
            {
                // The devices' local metric is 1/perplexity; the server's own score of their models when it has the data.
                string global = _run.Rounds.Count > 0 && _run.Rounds[^1].Perplexity is double ppl
                    ? ppl.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) : "n/a";
                _log.LogInformation("round {Round}/{Rounds}: {Accepted}/{Selected} uploads used, wall {Wall:0.00} s, simulated {RoundSeconds:0.00} s, mean local response perplexity {Perplexity}, global test perplexity {Global}; checkpoint written",
                    summary.Round, _run.Config.Rounds, summary.Accepted, summary.Selected, wall, summary.RoundSeconds,
                    double.IsFinite(summary.Accuracy) && summary.Accuracy > 0 ? (1 / summary.Accuracy).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) : "n/a (no upload used)",
                    global);
            }
            else
            {
                _log.LogInformation("round {Round}/{Rounds}: {Accepted}/{Selected} uploads used, wall {Wall:0.00} s, simulated {RoundSeconds:0.00} s, mean local accuracy {Accuracy}; checkpoint written",
                    summary.Round, _run.Config.Rounds, summary.Accepted, summary.Selected, wall, summary.RoundSeconds,
                    double.IsFinite(summary.Accuracy) ? summary.Accuracy.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture) : "n/a (no upload used)");
            }
            if (summary.RolledBack is string why)
            {
                _log.LogWarning("{RolledBack}", why);
            }
            foreach (var r in summary.Devices.Where(r => r.Status is not ("ok" or "rolled-back")))
            {
                _log.LogWarning("round {Round}: device {Device} {Status}: {Message}", r.Round, r.Device, r.Status, r.Message);
            }
        }, _stop.Token);
        Status.State = "finished";
        Transport.Finish();
        _log.LogInformation("run finished after {Rounds} rounds; results in {Folder}", _run.Server.Round, _run.Folder);
        var until = DateTime.UtcNow + _options.Linger;
        while (DateTime.UtcNow < until && !_stop.IsCancellationRequested)
        {
            lock (_toldFinished)
            {
                if (_toldFinished.Count >= Status.SeenCount)
                {
                    break;
                }
            }
            await Task.Delay(50).ConfigureAwait(false);
        }
        return result;
    }

    private void MapEndpoints()
    {
        _app.MapGet(Routes.Status, () => Results.Json(Status.Snapshot(Transport.RoundOpen), WireJson.Options));
        _app.MapPost(Routes.Hello, (Delegate)((HttpContext ctx) => Guard(ctx, null, async device =>
        {
            var hello = WireJson.Deserialize<HelloRequest>(System.Text.Encoding.UTF8.GetString(await ReadBody(ctx.Request, HelloLimit, "hello").ConfigureAwait(false)), "hello");
            if (hello.Device != device)
            {
                throw new WireError(403, $"the token belongs to device {device}, not device {hello.Device}");
            }
            string deviceClass = _run.Server.Slots[device].DeviceClass;
            string? profile = DeviceText.Clean(hello.Profile);
            if (profile is string p && !string.Equals(p, deviceClass, StringComparison.OrdinalIgnoreCase))
            {
                _log.LogWarning("device {Device} throttles as '{Profile}' but the run declares it '{Class}'", device, p, deviceClass);
            }
            Status.Seen(device, profile);
            _log.LogInformation("device {Device} said hello ({Agent}, profile {Profile})", device, DeviceText.Clean(hello.Agent) ?? "?", profile ?? "none");
            return Results.Json(new HelloResponse(_run.Server.Settings.RunId, _run.State.RunKey, _run.Server.Method, device, deviceClass,
                _run.State.Labels, _run.MaxTokens, _run.Config.Rounds, _run.Server.Round, _run.DeviceConfigJson()), WireJson.Options);
        })));
        _app.MapGet("/v1/devices/{id}/task", (HttpContext ctx, string id) => Guard(ctx, id, async device =>
        {
            double wait = 20;
            if (ctx.Request.Query.TryGetValue("wait", out var w) &&
                (!double.TryParse(w.ToString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out wait) || !(wait >= 0)))
            {
                throw new WireError(400, $"wait '{w}' must be a non-negative number of seconds");
            }
            var span = TimeSpan.FromSeconds(Math.Min(wait, _options.MaxPollWait.TotalSeconds));
            Status.Seen(device);   // before the long poll: a resumed server counts reconnecting devices at once
            var (bytes, state) = await Transport.Poll(device, span, ctx.RequestAborted).ConfigureAwait(false);
            if (state.State == "finished")
            {
                lock (_toldFinished)
                {
                    _toldFinished.Add(device);
                }
            }
            return bytes is null ? Results.Json(state, WireJson.Options) : Results.Bytes(bytes, TaskMessage.ContentType);
        }));
        _app.MapPost("/v1/devices/{id}/rounds/{round}/report", (HttpContext ctx, string id, string round) => Guard(ctx, id, async device =>
        {
            int r = ParseRound(round);
            var (task, limit) = Transport.Outstanding(device, r);
            var body = await ReadBody(ctx.Request, limit, "upload").ConfigureAwait(false);
            var report = ReportMessage.Decode(body, task, _run.Server.Global);
            Transport.Complete(device, r, report);
            _log.LogInformation("device {Device} uploaded round {Round} ({Bytes} bytes, loss {Before:0.000} -> {After:0.000})", device, r, body.Length, report.LossBefore, report.LossAfter);
            return Results.Json(new { status = "accepted", round = r }, WireJson.Options);
        }));
        _app.MapPost("/v1/devices/{id}/rounds/{round}/decline", (HttpContext ctx, string id, string round) => Guard(ctx, id, async device =>
        {
            int r = ParseRound(round);
            Transport.Outstanding(device, r);
            var decline = WireJson.Deserialize<DeclineRequest>(System.Text.Encoding.UTF8.GetString(await ReadBody(ctx.Request, HelloLimit, "decline").ConfigureAwait(false)), "decline");
            Transport.Complete(device, r, null);
            _log.LogInformation("device {Device} declined round {Round}: {Reason}", device, r, DeviceText.Clean(decline.Reason) ?? "no reason given");
            return Results.Json(new { status = "declined", round = r }, WireJson.Options);
        }));
    }

    /// <summary>Authenticates the request (bearer token), confines it to the token's device slot, and turns WireError into
    /// a 4xx JSON answer; every refusal is logged with the peer's address.</summary>
    private async Task<IResult> Guard(HttpContext ctx, string? slot, Func<int, Task<IResult>> handle)
    {
        string peer = ctx.Connection.RemoteIpAddress?.ToString() ?? "?";
        string where = $"{ctx.Request.Method} {ctx.Request.Path}";
        // What Kestrel may read (drain) of a refused request's body: a small one is drained so that the client reads its
        // answer (closing on unread bytes resets the connection and loses it); a bigger one from a client without a
        // valid token is not read at all, the connection is closed instead.
        LimitBody(ctx, HelloLimit);
        try
        {
            string header = ctx.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
            {
                throw new WireError(401, "missing token: send 'Authorization: Bearer <device token>'");
            }
            int device = _tokens.DeviceOf(header[7..].Trim()) ?? throw new WireError(401, "unknown token");
            LimitBody(ctx, AuthenticatedDrainLimit);   // a device's stale upload (409) is drained, so it reads why
            if (slot is not null)
            {
                if (!int.TryParse(slot, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int asked))
                {
                    throw new WireError(400, $"device id '{slot}' is not a non-negative integer");
                }
                if (asked != device)
                {
                    throw new WireError(403, $"the token belongs to device {device}; it cannot access device {asked}'s slot");
                }
            }
            return await handle(device).ConfigureAwait(false);
        }
        catch (WireError e)
        {
            var level = e.Status is 401 or 403 ? LogLevel.Warning : LogLevel.Information;
            _log.Log(level, "refused {Where} from {Peer}: {Status} {Message}", where, peer, e.Status, e.Message);
            var answer = Results.Json(new ErrorBody(e.Message), WireJson.Options, statusCode: e.Status);
            if (!BodyUnread(ctx))
            {
                return answer;
            }
            // Not drained: the body limit set in Guard (or by ReadBody) stops Kestrel from reading it after the answer.
            ctx.Response.Headers.Connection = "close";
            return answer;
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }
        catch (Exception e) when (e is BadHttpRequestException or IOException)
        {
            _log.LogInformation("refused {Where} from {Peer}: 400 {Message}", where, peer, e.Message);
            return Results.Json(new ErrorBody($"bad request body: {e.Message}"), WireJson.Options, statusCode: 400);
        }
    }

    private const string BodyReadKey = "fedspine.body-read";

    /// <summary>Kestrel's own body limit for this request. Kestrel drains (reads and discards) the unread body of every
    /// answered request for up to 5 s, a refused 500 MB upload included; past this limit it stops and closes instead.</summary>
    private static void LimitBody(HttpContext ctx, long bytes)
    {
        if (ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = bytes;
        }
    }

    /// <summary>Whether the request has a body that was not read to its end (ReadBody marks the ones it read whole).</summary>
    private static bool BodyUnread(HttpContext ctx) =>
        !ctx.Items.ContainsKey(BodyReadKey) && (ctx.Request.ContentLength is > 0 || ctx.Request.Headers.TransferEncoding.Count > 0);

    private static int ParseRound(string text) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int r) && r >= 1
            ? r : throw new WireError(400, $"round '{text}' is not a positive integer");

    /// <summary>The body, refusing (413) one longer than limit, by its Content-Length or while reading.</summary>
    private static async Task<byte[]> ReadBody(HttpRequest request, long limit, string what)
    {
        if (request.ContentLength is long declared && declared > limit)
        {
            throw new WireError(413, $"{what} of {declared} bytes exceeds this request's limit of {limit} bytes");
        }
        LimitBody(request.HttpContext, limit + 1);   // one byte over: our own check below names the problem first
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        while (true)
        {
            int n = await request.Body.ReadAsync(chunk).ConfigureAwait(false);
            if (n == 0)
            {
                request.HttpContext.Items[BodyReadKey] = true;
                return buffer.ToArray();
            }
            if (buffer.Length + n > limit)
            {
                throw new WireError(413, $"{what} exceeds this request's limit of {limit} bytes");
            }
            buffer.Write(chunk, 0, n);
        }
    }

    private static X509Certificate2 LoadCertificate(string path, string? keyPath, string? password)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"--cert: certificate '{path}' not found");
        }
        return keyPath is null
            ? X509CertificateLoader.LoadPkcs12FromFile(path, password)
            : X509Certificate2.CreateFromPemFile(path, keyPath);
    }
}
