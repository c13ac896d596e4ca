// A device's upload on the wire: one safetensors buffer (F32 LoRA factors in its new pruned coordinates, and the head unless
// instruct) whose metadata holds the report's other fields as JSON. The server decodes it strictly against the task it sent:
// header, dtype, names and shapes here (400/422), then UploadValidator for everything else, before anything touches global state.
using System.Text.Json.Serialization;
using FedSpine.Federated.Rounds;
using FedSpine.Model.Formats;
using FedSpine.Model.Lora;
using FedSpine.Pruning;
using FedSpine.Tensors;

namespace FedSpine.Deploy.Wire;

public sealed record ReportFields(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("round")] int Round,
    [property: JsonPropertyName("device")] int Device,
    [property: JsonPropertyName("mask")] PruningMask Mask,
    [property: JsonPropertyName("sample_count")] int SampleCount,
    [property: JsonPropertyName("loss_before")] double LossBefore,
    [property: JsonPropertyName("loss_after")] double LossAfter,
    [property: JsonPropertyName("train_loss")] double TrainLoss,
    [property: JsonPropertyName("local_accuracy")] double LocalAccuracy,
    [property: JsonPropertyName("local_test_count")] int LocalTestCount,
    [property: JsonPropertyName("compute_flops")] double ComputeFlops,
    [property: JsonPropertyName("compute_s")] double ComputeSeconds,
    [property: JsonPropertyName("download_s")] double DownloadSeconds,
    [property: JsonPropertyName("upload_s")] double UploadSeconds,
    [property: JsonPropertyName("wall_s")] double WallSeconds);

public static class ReportMessage
{
    public const string ContentType = "application/vnd.fedspine.report+safetensors";

    public static byte[] Encode(DeviceReport r)
    {
        var tensors = TensorNames.Of(r.Factors, r.HeadWeight, r.HeadBias);
        var fields = new ReportFields(r.RunId, r.Round, r.DeviceId, r.Mask, r.SampleCount, r.LossBefore, r.LossAfter, r.TrainLoss,
            r.LocalAccuracy, r.LocalTestCount, r.ComputeFlops, r.ComputeSeconds, r.DownloadSeconds, r.UploadSeconds, r.WallSeconds);
        return SafeTensorsBytes.ToBytes(tensors, new Dictionary<string, string> { [TensorNames.ReportKey] = WireJson.Serialize(fields) });
    }

    /// <summary>Upper bound on an upload's size for this task: at most the task's tensors (a mask only shrinks), plus room
    /// for the header and the JSON mask.</summary>
    public static long SizeLimit(RoundTask task) =>
        4L * (task.Factors.Sum(f => (long)f.A.Length + f.B.Length) + task.HeadWeight.Length + task.HeadBias.Length)
        + 64 * 1024 + 16L * task.Mask.Layers.Sum(l => (long)l.Heads.Count + l.Channels.Count + 8);

    /// <summary>The report, checked against the task and the global state's shapes; WireError (400 malformed, 422 invalid) otherwise.</summary>
    public static DeviceReport Decode(ReadOnlyMemory<byte> bytes, RoundTask task, GlobalLora global)
    {
        const string source = "upload";
        SafeTensorsBytes message;
        try
        {
            message = SafeTensorsBytes.Parse(bytes, source);
        }
        catch (InvalidDataException e)
        {
            throw new WireError(400, e.Message);
        }
        if (!message.Metadata.TryGetValue(TensorNames.ReportKey, out string? json))
        {
            throw new WireError(400, $"upload: the safetensors metadata lacks '{TensorNames.ReportKey}' (the report's JSON fields)");
        }
        var fields = WireJson.Deserialize<ReportFields>(json, "upload metadata");
        if (fields.Mask is null || fields.Mask.Layers.Any(l => l is null))
        {
            throw new WireError(400, "upload metadata: 'mask' holds null where a mask or layer was expected");
        }
        try
        {
            fields.Mask.Validate("uploaded mask");
        }
        catch (InvalidDataException e)
        {
            throw new WireError(422, e.Message);
        }
        if (!fields.Mask.OriginalShapes.SequenceEqual(task.Mask.OriginalShapes))
        {
            throw new WireError(422, "uploaded mask describes another model (original shapes differ from the task's)");
        }
        var bad = message.Entries.FirstOrDefault(e => e.Dtype != SafeTensorsDtype.F32);
        if (bad is not null)
        {
            throw new WireError(400, $"upload: tensor '{bad.Name}' has dtype {bad.Dtype.HeaderName()}; uploads carry F32");
        }
        bool head = global.Classes > 0;   // an instruct run has no head: its uploads carry none
        var expected = new HashSet<string>(StringComparer.Ordinal);
        if (head)
        {
            expected.Add(TensorNames.HeadWeight);
            expected.Add(TensorNames.HeadBias);
        }
        var factors = new List<ModuleFactors>();
        foreach (var ((layer, target), _) in global.Modules)
        {
            string nameA = TensorNames.A(layer, target), nameB = TensorNames.B(layer, target);
            expected.Add(nameA);
            expected.Add(nameB);
            var a = message.Find(nameA) ?? throw new WireError(422, $"upload lacks tensor '{nameA}'");
            var b = message.Find(nameB) ?? throw new WireError(422, $"upload lacks tensor '{nameB}'");
            var (rows, cols) = ModuleCoordinates.Kept(target, fields.Mask.Layers[layer], global.Config);
            int rank = task.Arm.Rank;
            Expect(a, [rank, cols.Length], $"[rank {rank}, kept inputs {cols.Length}]");
            Expect(b, [rows.Length, rank], $"[kept outputs {rows.Length}, rank {rank}]");
            factors.Add(new ModuleFactors(layer, target, rank, message.Read(a), message.Read(b)));
        }
        var unknown = message.Entries.FirstOrDefault(e => !expected.Contains(e.Name));
        if (unknown is not null)
        {
            throw new WireError(422, $"upload has unexpected tensor '{unknown.Name}'");
        }
        float[] headWeights = [], headBiases = [];
        if (head)
        {
            var headWeight = message.Find(TensorNames.HeadWeight) ?? throw new WireError(422, $"upload lacks tensor '{TensorNames.HeadWeight}'");
            var headBias = message.Find(TensorNames.HeadBias) ?? throw new WireError(422, $"upload lacks tensor '{TensorNames.HeadBias}'");
            Expect(headWeight, [global.Classes, global.Config.HiddenSize], $"[classes {global.Classes}, hidden {global.Config.HiddenSize}]");
            Expect(headBias, [global.Classes], $"[classes {global.Classes}]");
            (headWeights, headBiases) = (message.Read(headWeight), message.Read(headBias));
        }
        var report = new DeviceReport(fields.RunId, fields.Round, fields.Device, fields.Mask, factors, headWeights, headBiases,
            fields.SampleCount, fields.LossBefore, fields.LossAfter, fields.TrainLoss, fields.LocalAccuracy, fields.LocalTestCount,
            fields.ComputeFlops, fields.ComputeSeconds, fields.DownloadSeconds, fields.UploadSeconds, fields.WallSeconds);
        string? problem = UploadValidator.Check(report, task, global);
        if (problem is null && (fields.LocalTestCount < 0 || !double.IsFinite(fields.ComputeFlops) || fields.ComputeFlops < 0
                                || !double.IsFinite(fields.WallSeconds) || fields.WallSeconds < 0))
        {
            problem = $"local test count {fields.LocalTestCount}, compute FLOPs {fields.ComputeFlops} and wall time {fields.WallSeconds} must be finite and non-negative";
        }
        return problem is null ? report : throw new WireError(422, problem);
    }

    private static void Expect(SafeTensorEntry entry, int[] shape, string what)
    {
        if (!entry.Shape.AsSpan().SequenceEqual(shape))
        {
            throw new WireError(422, $"upload tensor '{entry.Name}' has shape {Tensor.ShapeText(entry.Shape)}, expected {what}");
        }
    }
}
