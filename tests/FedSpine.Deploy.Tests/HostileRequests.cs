// The catalogue of hostile requests against a live tiny deployment: each one's request, the 4xx it must get, and a word
// its one-line error must contain. Built around one open round, a valid upload of it, and two devices (me and other).
using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FedSpine.Deploy.Wire;
using FedSpine.Federated.Rounds;
using FedSpine.Model.Formats;
using FedSpine.Tensors;

namespace FedSpine.Deploy.Tests;

internal sealed record HostileRequest(string Name, Func<Task<HttpResponseMessage>> Send, HttpStatusCode Status, string Says);

internal sealed class HostileRequests(TinyDeployment d, EchoDevice me, EchoDevice other, RoundTask task)
{
    private readonly DeviceReport _good = EchoDevice.Echo(task);

    /// <summary>The valid upload of the open round that every malformed body below is derived from.</summary>
    public byte[] Valid => ReportMessage.Encode(_good);

    public IReadOnlyList<HostileRequest> All()
    {
        byte[] valid = Valid;
        int round = task.Round;
        byte[] Report(Func<DeviceReport, DeviceReport> change) => ReportMessage.Encode(change(_good));
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
            ("wrong dtype (F16)", () => Up(AsF16(_good)), HttpStatusCode.BadRequest, "dtype F16"),
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
            ("an extra tensor", () => Up(WithExtraTensor(_good)), HttpStatusCode.UnprocessableEntity, "unexpected tensor"),
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
            // Authentication on every route, and token forms.
            ("token in the query string only", () => d.Http.PostAsync(Routes.Report(0, round) + "?token=" + me.Token, new ByteArrayContent(valid)), HttpStatusCode.Unauthorized, "missing token"),
            ("'Token' scheme instead of Bearer", () => Raw(HttpMethod.Post, Routes.Report(0, round), "Token " + me.Token, valid), HttpStatusCode.Unauthorized, "missing token"),
            ("bearer of spaces only", () => Raw(HttpMethod.Post, Routes.Report(0, round), "Bearer      ", valid), HttpStatusCode.Unauthorized, "token"),
            ("a 10 KB token", () => me.Upload(round, valid, bearer: new string('a', 10_000)), HttpStatusCode.Unauthorized, "unknown token"),
            ("half of my token", () => me.Upload(round, valid, bearer: me.Token[..(me.Token.Length / 2)]), HttpStatusCode.Unauthorized, "unknown token"),
            ("my token upper-cased", () => me.Upload(round, valid, bearer: me.Token.ToUpperInvariant()), HttpStatusCode.Unauthorized, "unknown token"),
            ("hello without a token", () => d.Http.PostAsync(Routes.Hello, EchoDevice.Json(new HelloRequest(0))), HttpStatusCode.Unauthorized, "missing token"),
            ("poll without a token", () => d.Http.GetAsync(Routes.Task(0, 0)), HttpStatusCode.Unauthorized, "missing token"),
            ("decline without a token", () => d.Http.PostAsync(Routes.Decline(0, round), EchoDevice.Json(new DeclineRequest("x"))), HttpStatusCode.Unauthorized, "missing token"),
            ("hello with an unknown token", () => me.Send(HttpMethod.Post, Routes.Hello, EchoDevice.Json(new HelloRequest(0)), bearer: new string('1', 32)), HttpStatusCode.Unauthorized, "unknown token"),
            ("poll with an unknown token", () => me.Send(HttpMethod.Get, Routes.Task(0, 0), bearer: new string('2', 32)), HttpStatusCode.Unauthorized, "unknown token"),
            ("decline with an unknown token", () => me.Send(HttpMethod.Post, Routes.Decline(0, round), EchoDevice.Json(new DeclineRequest("x")), bearer: new string('3', 32)), HttpStatusCode.Unauthorized, "unknown token"),
            ("decline with another device's token on my slot", () => me.Send(HttpMethod.Post, Routes.Decline(0, round), EchoDevice.Json(new DeclineRequest("x")), bearer: other.Token), HttpStatusCode.Forbidden, "cannot access device 0"),
            ("poll a slot that does not exist", () => me.Send(HttpMethod.Get, Routes.Task(7, 0)), HttpStatusCode.Forbidden, "cannot access device 7"),
            // Paths and query.
            ("device id beyond int", () => me.Send(HttpMethod.Get, "/v1/devices/99999999999/task"), HttpStatusCode.BadRequest, "not a non-negative integer"),
            ("negative device id", () => me.Send(HttpMethod.Get, "/v1/devices/-1/task"), HttpStatusCode.BadRequest, "not a non-negative integer"),
            ("hexadecimal device id", () => me.Send(HttpMethod.Get, "/v1/devices/0x0/task"), HttpStatusCode.BadRequest, "not a non-negative integer"),
            ("device id with a space", () => me.Send(HttpMethod.Get, "/v1/devices/%200/task"), HttpStatusCode.BadRequest, "not a non-negative integer"),
            ("round beyond int", () => me.Send(HttpMethod.Post, "/v1/devices/0/rounds/99999999999/report", new ByteArrayContent(valid)), HttpStatusCode.BadRequest, "round '99999999999'"),
            ("negative round", () => me.Send(HttpMethod.Post, "/v1/devices/0/rounds/-1/report", new ByteArrayContent(valid)), HttpStatusCode.BadRequest, "round '-1'"),
            ("fractional round", () => me.Send(HttpMethod.Post, "/v1/devices/0/rounds/1.0/report", new ByteArrayContent(valid)), HttpStatusCode.BadRequest, "round '1.0'"),
            ("round with a plus sign", () => me.Send(HttpMethod.Post, "/v1/devices/0/rounds/+1/report", new ByteArrayContent(valid)), HttpStatusCode.BadRequest, "round '+1'"),
            ("decline with a round not a number", () => me.Send(HttpMethod.Post, "/v1/devices/0/rounds/x/decline", Text("{\"reason\": \"x\"}")), HttpStatusCode.BadRequest, "round 'x'"),
            ("decline for round 0", () => me.Send(HttpMethod.Post, "/v1/devices/0/rounds/0/decline", Text("{\"reason\": \"x\"}")), HttpStatusCode.BadRequest, "round '0'"),
            ("poll wait NaN", () => me.Send(HttpMethod.Get, "/v1/devices/0/task?wait=NaN"), HttpStatusCode.BadRequest, "wait"),
            ("poll wait with a unit", () => me.Send(HttpMethod.Get, "/v1/devices/0/task?wait=5s"), HttpStatusCode.BadRequest, "wait"),
            // Hello bodies.
            ("hello with an empty body", () => me.Send(HttpMethod.Post, Routes.Hello, Text("")), HttpStatusCode.BadRequest, "hello"),
            ("hello of JSON null", () => me.Send(HttpMethod.Post, Routes.Hello, Text("null")), HttpStatusCode.BadRequest, "empty JSON"),
            ("hello of a JSON array", () => me.Send(HttpMethod.Post, Routes.Hello, Text("[0]")), HttpStatusCode.BadRequest, "hello"),
            ("hello with an unknown field", () => me.Send(HttpMethod.Post, Routes.Hello, Text("{\"device\": 0, \"admin\": true}")), HttpStatusCode.BadRequest, "unknown field"),
            ("hello with a fractional device", () => me.Send(HttpMethod.Post, Routes.Hello, Text("{\"device\": 0.5}")), HttpStatusCode.BadRequest, "field 'device'"),
            ("hello with the device as a string", () => me.Send(HttpMethod.Post, Routes.Hello, Text("{\"device\": \"0\"}")), HttpStatusCode.BadRequest, "field 'device'"),
            ("hello with a negative device", () => me.Send(HttpMethod.Post, Routes.Hello, Text("{\"device\": -1}")), HttpStatusCode.Forbidden, "belongs to device 0"),
            ("hello with a numeric agent", () => me.Send(HttpMethod.Post, Routes.Hello, Text("{\"device\": 0, \"agent\": 5}")), HttpStatusCode.BadRequest, "field 'agent'"),
            ("hello with truncated JSON", () => me.Send(HttpMethod.Post, Routes.Hello, Text("{\"device\": 0")), HttpStatusCode.BadRequest, "hello"),
            ("hello without the device field", () => me.Send(HttpMethod.Post, Routes.Hello, Text("{\"agent\": \"x\"}")), HttpStatusCode.BadRequest, "required"),
            // Decline bodies.
            ("decline that is not JSON", () => me.Send(HttpMethod.Post, Routes.Decline(0, round), Text("no")), HttpStatusCode.BadRequest, "decline"),
            ("decline with an unknown field", () => me.Send(HttpMethod.Post, Routes.Decline(0, round), Text("{\"reason\": \"x\", \"extra\": 1}")), HttpStatusCode.BadRequest, "unknown field"),
            ("decline body over its limit", () => me.Send(HttpMethod.Post, Routes.Decline(0, round), Text("{\"reason\": \"" + new string('r', 70_000) + "\"}")), HttpStatusCode.RequestEntityTooLarge, "exceeds"),
            ("decline of JSON null", () => me.Send(HttpMethod.Post, Routes.Decline(0, round), Text("null")), HttpStatusCode.BadRequest, "empty JSON"),
            // The upload's safetensors container.
            ("header length zero", () => Up(RawHeader([], Split(valid).Data)), HttpStatusCode.BadRequest, "not valid JSON"),
            ("header length beyond the body", () => Up(HeaderLength(valid, (ulong)valid.Length)), HttpStatusCode.BadRequest, "exceeds"),
            ("header a JSON array", () => Up(RawHeader("[]"u8.ToArray())), HttpStatusCode.BadRequest, "must be a JSON object"),
            ("a tensor entry given twice", () => Up(DuplicateEntry(valid)), HttpStatusCode.BadRequest, "duplicate entry"),
            ("dtype I32", () => Up(EditHeader(valid, h => h["head.bias"]!["dtype"] = "I32")), HttpStatusCode.BadRequest, "I32"),
            ("dtype F64", () => Up(EditHeader(valid, h => h["head.bias"]!["dtype"] = "F64")), HttpStatusCode.BadRequest, "F64"),
            ("dtype BF16", () => Up(EditHeader(valid, h => h["head.bias"]!["dtype"] = "BF16")), HttpStatusCode.BadRequest, "head.bias"),
            ("data offsets reversed", () => Up(EditHeader(valid, h => h["head.bias"]!["data_offsets"] = Reversed(h["head.bias"]!["data_offsets"]!))), HttpStatusCode.BadRequest, "head.bias"),
            ("two tensors overlapping", () => Up(EditHeader(valid, h => h["head.bias"]!["data_offsets"] = Shifted(h["head.bias"]!["data_offsets"]!, -4))), HttpStatusCode.BadRequest, "head.bias"),
            ("metadata not an object", () => Up(EditHeader(valid, h => h["__metadata__"] = "report")), HttpStatusCode.BadRequest, "__metadata__"),
            ("report metadata a number", () => Up(EditHeader(valid, h => h["__metadata__"]![TensorNames.ReportKey] = 5)), HttpStatusCode.BadRequest, "must be a string"),
            ("report JSON null", () => Up(EditHeader(valid, h => h["__metadata__"]![TensorNames.ReportKey] = "null")), HttpStatusCode.BadRequest, "empty JSON"),
            ("report JSON an array", () => Up(EditHeader(valid, h => h["__metadata__"]![TensorNames.ReportKey] = "[1]")), HttpStatusCode.BadRequest, "report"),
            ("report JSON truncated", () => Up(EditHeader(valid, h => h["__metadata__"]![TensorNames.ReportKey] = "{\"run_id\": ")), HttpStatusCode.BadRequest, "upload metadata"),
            ("head bias with three dimensions", () => Up(EditHeader(valid, h => h["head.bias"]!["shape"] = new JsonArray(1, 1, 2))), HttpStatusCode.UnprocessableEntity, "head.bias"),
            ("a factor tensor missing", () => Up(Rebuilt(valid, t => t.Where(p => p.Key != "lora.0.q_proj.A").ToList())), HttpStatusCode.UnprocessableEntity, "lacks tensor 'lora.0.q_proj.A'"),
            ("the head weight missing", () => Up(Rebuilt(valid, t => t.Where(p => p.Key != "head.weight").ToList())), HttpStatusCode.UnprocessableEntity, "lacks tensor 'head.weight'"),
            ("bytes after the last tensor", () => Up([.. valid, 1, 2, 3, 4]), HttpStatusCode.BadRequest, "no tensor indexes"),
            // The report's fields.
            ("report for another device", () => Up(Report(r => r with { DeviceId = 1 })), HttpStatusCode.UnprocessableEntity, "expected run"),
            ("report with an empty run id", () => Up(Report(r => r with { RunId = "" })), HttpStatusCode.UnprocessableEntity, "expected run"),
            ("infinite loss before", () => Up(Report(r => r with { LossBefore = double.PositiveInfinity })), HttpStatusCode.UnprocessableEntity, "loss before"),
            ("negative loss after", () => Up(Report(r => r with { LossAfter = -1 })), HttpStatusCode.UnprocessableEntity, "loss after"),
            ("NaN train loss", () => Up(Report(r => r with { TrainLoss = double.NaN })), HttpStatusCode.UnprocessableEntity, "train loss"),
            ("negative FLOPs", () => Up(Report(r => r with { ComputeFlops = -1e6 })), HttpStatusCode.UnprocessableEntity, "compute flops"),
            ("infinite FLOPs", () => Up(Report(r => r with { ComputeFlops = double.PositiveInfinity })), HttpStatusCode.UnprocessableEntity, "compute flops"),
            ("NaN download time", () => Up(Report(r => r with { DownloadSeconds = double.NaN })), HttpStatusCode.UnprocessableEntity, "download time"),
            ("negative wall time", () => Up(Report(r => r with { WallSeconds = -3 })), HttpStatusCode.UnprocessableEntity, "wall time"),
            ("negative local test count", () => Up(Report(r => r with { LocalTestCount = -4 })), HttpStatusCode.UnprocessableEntity, "local test count"),
            ("local accuracy above 1", () => Up(Report(r => r with { LocalAccuracy = 1.5 })), HttpStatusCode.UnprocessableEntity, "local accuracy"),
            ("negative local accuracy", () => Up(Report(r => r with { LocalAccuracy = -0.1 })), HttpStatusCode.UnprocessableEntity, "local accuracy"),
            ("a factor of rank 0", () => Up(Rebuilt(valid, t => t.Select(p => p.Key == "lora.0.q_proj.A" ? new KeyValuePair<string, Tensor>(p.Key, new Tensor(0, 32)) : p)
                .ToList())), HttpStatusCode.UnprocessableEntity, "lora.0.q_proj.A"),
            ("a head index repeated in the mask", () => Up(EditReportJson(valid, j => j["mask"]!["layers"]![0]!["heads"] = new JsonArray(0, 0, 1, 2))),
                HttpStatusCode.UnprocessableEntity, "pruning mask of layer 0"),
            ("a mask with a layer missing", () => Up(EditReportJson(valid, j => j["mask"]!["layers"]!.AsArray().RemoveAt(1))), HttpStatusCode.UnprocessableEntity, "mask"),
            ("NaN in the head weight", () => Up(Report(r => r with { HeadWeight = Poison(r.HeadWeight, float.NaN) })), HttpStatusCode.UnprocessableEntity, "head holds NaN or infinite"),
        };
        return cases.Select(c => new HostileRequest(c.Name, c.Send, c.Status, c.Says)).ToList();
    }

    private static StringContent Text(string text) => new(text, Encoding.UTF8, "application/json");

    /// <summary>A request with an Authorization header exactly as given (not parsed by HttpClient).</summary>
    private Task<HttpResponseMessage> Raw(HttpMethod method, string path, string authorization, byte[] body)
    {
        var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return d.Http.SendAsync(request);
    }

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

    private static byte[] HugeHeader(byte[] message) => HeaderLength(message, 1UL << 40);

    private static byte[] HeaderLength(byte[] message, ulong length)
    {
        var copy = (byte[])message.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(copy, length);
        return copy;
    }

    /// <summary>The header text with the head.bias entry written a second time (JsonObject cannot hold a duplicate key).</summary>
    private static byte[] DuplicateEntry(byte[] message)
    {
        var (header, data) = Split(message);
        string entry = header["head.bias"]!.ToJsonString();
        string text = header.ToJsonString();
        text = text[..^1] + ",\"head.bias\":" + entry + "}";
        return RawHeader(Encoding.UTF8.GetBytes(text), data);
    }

    /// <summary>The message re-encoded from its own tensors and metadata after an edit of the tensor list.</summary>
    private static byte[] Rebuilt(byte[] message, Func<List<KeyValuePair<string, Tensor>>, List<KeyValuePair<string, Tensor>>> edit)
    {
        var parsed = SafeTensorsBytes.Parse(message, "valid upload");
        var tensors = parsed.Entries.Select(e => new KeyValuePair<string, Tensor>(e.Name, new Tensor(parsed.Read(e), 0, e.Shape))).ToList();
        return SafeTensorsBytes.ToBytes(edit(tensors), parsed.Metadata);
    }

    private static JsonArray Reversed(JsonNode offsets) => new(offsets[1]!.GetValue<long>(), offsets[0]!.GetValue<long>());

    private static JsonArray Shifted(JsonNode offsets, long by) => new(offsets[0]!.GetValue<long>() + by, offsets[1]!.GetValue<long>() + by);

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
