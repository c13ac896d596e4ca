// Malformed and hostile requests against a live server (in process, loopback): each gets a 4xx with a one-line JSON
// message naming the problem, the server keeps serving (/status answers, a valid upload is still taken afterwards),
// and the global LoRA and head are bit for bit unchanged. The cases are the list and more.
using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FedSpine.Deploy.Wire;
using FedSpine.Federated.Rounds;
using FedSpine.Model.Formats;
using FedSpine.Tensors;
using Xunit.Abstractions;

namespace FedSpine.Deploy.Tests;

public sealed class HostileRequestTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_hostile_request_gets_a_clear_4xx_and_changes_nothing()
    {
        await using var d = await TinyDeployment.StartAsync(devices: 2, rounds: 1, roundTimeout: TimeSpan.FromSeconds(60));
        _http = d.Http;
        var me = d.Device(0);
        var other = d.Device(1);
        await me.Hello();
        await other.Hello();
        var (taskBytes, _) = await me.Poll();
        var task = TaskMessage.Decode(taskBytes!);
        var good = EchoDevice.Echo(task);
        byte[] valid = ReportMessage.Encode(good);
        int round = task.Round;
        byte[] Report(Func<DeviceReport, DeviceReport> change) => ReportMessage.Encode(change(good));
        Task<HttpResponseMessage> Up(byte[] body) => me.Upload(round, body);

        var cases = new (string Name, Func<Task<HttpResponseMessage>> Send, HttpStatusCode Status, string Says)[]
        {
            ("no token", () => d.Http.PostAsync(Routes.Report(0, round), new ByteArrayContent(valid)), HttpStatusCode.Unauthorized, "missing token"),
            ("unknown token", () => me.Upload(round, valid, bearer: new string('0', 32)), HttpStatusCode.Unauthorized, "unknown token"),
            ("another device's token on my slot", () => me.Upload(round, valid, bearer: other.Token), HttpStatusCode.Forbidden, "cannot access device 0"),
            ("my token on another device's slot", () => me.Upload(round, valid, slot: 1), HttpStatusCode.Forbidden, "cannot access device 1"),
            ("poll another device's task", () => me.Send(HttpMethod.Get, Routes.Task(1, 0)), HttpStatusCode.Forbidden, "cannot access device 1"),
            ("hello claiming another device", () => me.Send(HttpMethod.Post, Routes.Hello, EchoDevice.Json(new HelloRequest(1))), HttpStatusCode.Forbidden, "belongs to device 0"),
            ("hello with wrong JSON types", () => me.Send(HttpMethod.Post, Routes.Hello, Text("{\"device\": \"zero\"}")), HttpStatusCode.BadRequest, "field 'device'"),
            ("hello that is not JSON", () => me.Send(HttpMethod.Post, Routes.Hello, Text("device=0")), HttpStatusCode.BadRequest, "hello"),
            ("device id not a number", () => me.Send(HttpMethod.Get, "/v1/devices/zero/task"), HttpStatusCode.BadRequest, "not a non-negative integer"),
            ("negative poll wait", () => me.Send(HttpMethod.Get, "/v1/devices/0/task?wait=-1"), HttpStatusCode.BadRequest, "wait"),
            ("round not a number", () => me.Send(HttpMethod.Post, "/v1/devices/0/rounds/one/report", new ByteArrayContent(valid)), HttpStatusCode.BadRequest, "round 'one'"),
            ("empty body", () => Up([]), HttpStatusCode.BadRequest, "truncated"),
            ("truncated safetensors", () => Up(valid[..(valid.Length / 2)]), HttpStatusCode.BadRequest, "invalid safetensors"),
            ("header claiming a huge size", () => Up(HugeHeader(valid)), HttpStatusCode.BadRequest, "absurdly large"),
            ("tensor offsets past the data", () => Up(EditHeader(valid, h => h["head.bias"]!["data_offsets"] = new JsonArray(0, 1 << 30))), HttpStatusCode.BadRequest, "out of range"),
            ("header not JSON", () => Up(RawHeader("{not json"u8.ToArray())), HttpStatusCode.BadRequest, "not valid JSON"),
            ("wrong dtype (F16)", () => Up(AsF16(good)), HttpStatusCode.BadRequest, "dtype F16"),
            ("negative rank in a shape", () => Up(EditHeader(valid, h => h["lora.0.q_proj.A"]!["shape"] = new JsonArray(-2, 32))), HttpStatusCode.BadRequest, "not a dimension"),
            ("rank other than the task's", () => Up(Report(r => r with { Factors = r.Factors.Select(f => f with { Rank = f.Rank * 2, A = [.. f.A, .. f.A], B = [.. f.B, .. f.B] }).ToList() })),
                HttpStatusCode.UnprocessableEntity, "shape"),
            ("wrong shape", () => Up(Report(r => r with { Factors = r.Factors.Select((f, i) => i == 0 ? f with { A = new float[f.A.Length + f.Rank] } : f).ToList() })),
                HttpStatusCode.UnprocessableEntity, "expected [rank"),
            ("NaN in a factor", () => Up(Report(r => r with { Factors = r.Factors.Select((f, i) => i == 3 ? f with { B = Poison(f.B, float.NaN) } : f).ToList() })),
                HttpStatusCode.UnprocessableEntity, "NaN"),
            ("infinite head", () => Up(Report(r => r with { HeadBias = Poison(r.HeadBias, float.PositiveInfinity) })), HttpStatusCode.UnprocessableEntity, "head holds NaN or infinite"),
            ("NaN loss", () => Up(Report(r => r with { LossAfter = double.NaN })), HttpStatusCode.UnprocessableEntity, "loss after"),
            ("negative time", () => Up(Report(r => r with { ComputeSeconds = -1 })), HttpStatusCode.UnprocessableEntity, "compute time"),
            ("zero samples", () => Up(Report(r => r with { SampleCount = 0 })), HttpStatusCode.UnprocessableEntity, "sample count"),
            ("mask index out of range", () => Up(EditReportJson(valid, j => j["mask"]!["layers"]![0]!["heads"] = new JsonArray(0, 1, 2, 99))),
                HttpStatusCode.UnprocessableEntity, "pruning mask of layer 0"),
            ("mask of another model", () => Up(EditReportJson(valid, j => j["mask"]!["layers"]![1]!["original_channels"] = 4096)),
                HttpStatusCode.UnprocessableEntity, "another model"),
            ("head of the wrong size", () => Up(Report(r => r with { HeadBias = [.. r.HeadBias, 0f], HeadWeight = [.. r.HeadWeight, .. new float[32]] })),
                HttpStatusCode.UnprocessableEntity, "head.weight"),
            ("an extra tensor", () => Up(WithExtraTensor(good)), HttpStatusCode.UnprocessableEntity, "unexpected tensor"),
            ("metadata missing", () => Up(SafeTensorsBytes.ToBytes([new("head.bias", new Tensor(2))])), HttpStatusCode.BadRequest, "lacks 'fedspine_report'"),
            ("wrong JSON types in the fields", () => Up(EditReportJson(valid, j => j["loss_before"] = "low")), HttpStatusCode.BadRequest, "field 'loss_before'"),
            ("unknown JSON field", () => Up(EditReportJson(valid, j => j["bonus"] = 1)), HttpStatusCode.BadRequest, "unknown field"),
            ("missing JSON field", () => Up(EditReportJson(valid, j => j.Remove("sample_count"))), HttpStatusCode.BadRequest, "required"),
            ("report for another run", () => Up(Report(r => r with { RunId = "someone-else" })), HttpStatusCode.UnprocessableEntity, "expected run"),
            ("report naming another round", () => Up(Report(r => r with { Round = round + 1 })), HttpStatusCode.UnprocessableEntity, "expected run"),
            ("oversized body", () => Up(new byte[valid.Length + 2_000_000]), HttpStatusCode.RequestEntityTooLarge, "exceeds"),
            ("upload for a round not open (future)", () => me.Upload(round + 1, valid), HttpStatusCode.Conflict, "current round is 1"),
            ("upload replayed from an old round", () => me.Upload(round - 1 + 1000, valid), HttpStatusCode.Conflict, "replayed or stale"),
            ("decline with wrong JSON types", () => me.Send(HttpMethod.Post, Routes.Decline(0, round), Text("{\"reason\": 7}")), HttpStatusCode.BadRequest, "field 'reason'"),
            ("bearer scheme without a token", () => Raw(HttpMethod.Post, Routes.Report(0, round), "Bearer ", valid), HttpStatusCode.Unauthorized, "missing token"),
            ("basic auth instead of a bearer token", () => Raw(HttpMethod.Post, Routes.Report(0, round), "Basic dXNlcjpwYXNz", valid), HttpStatusCode.Unauthorized, "missing token"),
            ("token with a character appended", () => me.Upload(round, valid, bearer: me.Token + "x"), HttpStatusCode.Unauthorized, "unknown token"),
            ("hello body over its limit", () => me.Send(HttpMethod.Post, Routes.Hello, Text("{\"device\": 0, \"agent\": \"" + new string('a', 70_000) + "\"}")),
                HttpStatusCode.RequestEntityTooLarge, "exceeds"),
            ("decline for a round not open", () => me.Send(HttpMethod.Post, Routes.Decline(0, round + 1), EchoDevice.Json(new DeclineRequest("x"))), HttpStatusCode.Conflict, "current round is 1"),
            ("decline on another device's slot", () => me.Send(HttpMethod.Post, Routes.Decline(1, round), EchoDevice.Json(new DeclineRequest("x"))), HttpStatusCode.Forbidden, "cannot access device 1"),
            ("round 0 in the path", () => me.Send(HttpMethod.Post, "/v1/devices/0/rounds/0/report", new ByteArrayContent(valid)), HttpStatusCode.BadRequest, "round '0'"),
            ("device id with a plus sign", () => me.Send(HttpMethod.Get, "/v1/devices/+0/task"), HttpStatusCode.BadRequest, "not a non-negative integer"),
            ("poll wait not a number", () => me.Send(HttpMethod.Get, "/v1/devices/0/task?wait=abc"), HttpStatusCode.BadRequest, "wait"),
            ("negative sample count", () => Up(Report(r => r with { SampleCount = -5 })), HttpStatusCode.UnprocessableEntity, "sample count"),
            ("NaN local accuracy", () => Up(Report(r => r with { LocalAccuracy = double.NaN })), HttpStatusCode.UnprocessableEntity, "local accuracy"),
            ("infinite upload time", () => Up(Report(r => r with { UploadSeconds = double.PositiveInfinity })), HttpStatusCode.UnprocessableEntity, "upload time"),
            ("infinity in a factor", () => Up(Report(r => r with { Factors = r.Factors.Select((f, i) => i == 1 ? f with { A = Poison(f.A, float.NegativeInfinity) } : f).ToList() })),
                HttpStatusCode.UnprocessableEntity, "infinite"),
        };

        var before = d.GlobalState();
        foreach (var (name, send, status, says) in cases)
        {
            using var response = await send();
            string body = await response.Content.ReadAsStringAsync();
            output.WriteLine($"{name}: {(int)response.StatusCode} {body}");
            Assert.True(response.StatusCode == status, $"{name}: expected {(int)status}, got {(int)response.StatusCode} {body}");
            string message = JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;
            Assert.Contains(says, message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain('\n', message);
            Assert.Equal(before, d.GlobalState());
            using var status200 = await d.Http.GetAsync(Routes.Status);
            Assert.Equal(HttpStatusCode.OK, status200.StatusCode);
        }
        Assert.True(cases.Length >= 15);

        using (var accepted = await me.Upload(round, valid))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }
        using (var replay = await me.Upload(round, valid))
        {
            Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
            Assert.Contains("already answered", await replay.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        Assert.Equal(before, d.GlobalState());   // nothing is aggregated until the round closes
        using (var declined = await other.Send(HttpMethod.Post, Routes.Decline(1, round), EchoDevice.Json(new DeclineRequest("test"))))
        {
            Assert.Equal(HttpStatusCode.OK, declined.StatusCode);
        }
        var result = await d.Server.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, result.Rounds);
        var lines = File.ReadAllLines(Path.Combine(d.Run.MethodFolder, "metrics.jsonl"));
        Assert.Contains("\"status\":\"ok\"", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"status\":\"no-answer\"", lines[1], StringComparison.Ordinal);
    }

    private static StringContent Text(string text) => new(text, Encoding.UTF8, "application/json");

    /// <summary>A request with an Authorization header exactly as given (not parsed by HttpClient).</summary>
    private Task<HttpResponseMessage> Raw(HttpMethod method, string path, string authorization, byte[] body)
    {
        var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return _http!.SendAsync(request);
    }

    private HttpClient? _http;

    private static float[] Poison(float[] values, float bad)
    {
        var copy = (float[])values.Clone();
        copy[copy.Length / 2] = bad;
        return copy;
    }

    private static (JsonObject Header, byte[] Data) Split(byte[] message)
    {
        int length = (int)BinaryPrimitives.ReadUInt64LittleEndian(message);
        return ((JsonObject)JsonNode.Parse(message.AsSpan(8, length))!, message[(8 + length)..]);
    }

    private static byte[] Join(JsonObject header, byte[] data) => RawHeader(Encoding.UTF8.GetBytes(header.ToJsonString()), data);

    private static byte[] RawHeader(byte[] header, byte[]? data = null)
    {
        var bytes = new byte[8 + header.Length + (data?.Length ?? 0)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        data?.CopyTo(bytes, 8 + header.Length);
        return bytes;
    }

    private static byte[] EditHeader(byte[] message, Action<JsonObject> edit)
    {
        var (header, data) = Split(message);
        edit(header);
        return Join(header, data);
    }

    private static byte[] EditReportJson(byte[] message, Action<JsonObject> edit) => EditHeader(message, h =>
    {
        var fields = (JsonObject)JsonNode.Parse(h["__metadata__"]![TensorNames.ReportKey]!.GetValue<string>())!;
        edit(fields);
        h["__metadata__"]![TensorNames.ReportKey] = fields.ToJsonString();
    });

    private static byte[] HugeHeader(byte[] message)
    {
        var copy = (byte[])message.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(copy, 1UL << 40);
        return copy;
    }

    private static byte[] AsF16(DeviceReport report)
    {
        var (header, _) = Split(ReportMessage.Encode(report));
        var tensors = header.Where(p => p.Key != "__metadata__")
            .Select(p => new KeyValuePair<string, Tensor>(p.Key, new Tensor(p.Value!["shape"]!.AsArray().Select(x => x!.GetValue<int>()).ToArray())))
            .ToList();
        string path = Path.Combine(Loopback.TempFolder("f16"), "report.safetensors");
        SafeTensorsFile.Write(path, tensors, SafeTensorsDtype.F16,
            new Dictionary<string, string> { [TensorNames.ReportKey] = header["__metadata__"]![TensorNames.ReportKey]!.GetValue<string>() });
        return File.ReadAllBytes(path);
    }

    private static byte[] WithExtraTensor(DeviceReport report)
    {
        var (header, data) = Split(ReportMessage.Encode(report));
        header["stowaway"] = new JsonObject { ["dtype"] = "F32", ["shape"] = new JsonArray(1), ["data_offsets"] = new JsonArray(data.Length, data.Length + 4) };
        return Join(header, [.. data, 0, 0, 0, 0]);
    }
}
