// Checks a device's upload against the task it was sent before anything touches the global state: identity and round,
// mask (valid, same original model, a subset of the sent mask), every module's factors (rank, shapes, finite), head, numbers.
using FedSpine.Model;
using FedSpine.Pruning;

namespace FedSpine.Federated.Rounds;

public static class UploadValidator
{
    /// <summary>Null when the report is usable; otherwise one line saying what is wrong.</summary>
    public static string? Check(DeviceReport report, RoundTask task, GlobalLora global)
    {
        if (report.RunId != task.RunId || report.Round != task.Round || report.DeviceId != task.DeviceId)
        {
            return $"upload is for run '{report.RunId}' round {report.Round} device {report.DeviceId}, expected run '{task.RunId}' round {task.Round} device {task.DeviceId}";
        }
        if (report.Mask is null || report.Factors is null || report.HeadWeight is null || report.HeadBias is null)
        {
            return "upload lacks its mask, factors or head";
        }
        try
        {
            report.Mask.Validate("uploaded mask");
        }
        catch (InvalidDataException e)
        {
            return e.Message;
        }
        if (!report.Mask.OriginalShapes.SequenceEqual(task.Mask.OriginalShapes))
        {
            return "uploaded mask describes another model (original shapes differ)";
        }
        if (!report.Mask.IsSubsetOf(task.Mask))
        {
            return "uploaded mask keeps units the device had already pruned";
        }
        if (report.SampleCount < 1)
        {
            return $"sample count {report.SampleCount} must be at least 1";
        }
        // Every number a device reports reaches rewards, metrics.jsonl and /status: finite, never negative, accuracy a share.
        foreach (var (name, value) in new[] { ("loss before", report.LossBefore), ("loss after", report.LossAfter), ("train loss", report.TrainLoss),
                     ("local accuracy", report.LocalAccuracy), ("compute flops", report.ComputeFlops), ("compute time", report.ComputeSeconds),
                     ("download time", report.DownloadSeconds), ("upload time", report.UploadSeconds), ("wall time", report.WallSeconds) })
        {
            if (!double.IsFinite(value) || value < 0 || (name == "local accuracy" && value > 1))
            {
                return $"{name} is {value}";
            }
        }
        if (report.LocalTestCount < 0)
        {
            return $"local test count {report.LocalTestCount} must not be negative";
        }
        if (report.HeadWeight.Length != global.HeadWeight.Length || report.HeadBias.Length != global.HeadBias.Length)
        {
            return $"head has {report.HeadWeight.Length}+{report.HeadBias.Length} values, expected {global.HeadWeight.Length}+{global.HeadBias.Length}";
        }
        if (!AllFinite(report.HeadWeight) || !AllFinite(report.HeadBias))
        {
            return "head holds NaN or infinite values";
        }
        if (report.Factors.Count != global.Modules.Count)
        {
            return $"upload has {report.Factors.Count} LoRA modules, expected {global.Modules.Count}";
        }
        var seen = new HashSet<(int, Model.Lora.LoraTarget)>();
        foreach (var f in report.Factors)
        {
            if (f is null || !global.Modules.ContainsKey((f.Layer, f.Target)) || !seen.Add((f.Layer, f.Target)))
            {
                return f is null ? "upload has a null module" : $"unexpected or repeated module layer {f.Layer} {f.Target}";
            }
            string module = $"layer {f.Layer} {f.Target.ToString().ToLowerInvariant()}";
            if (f.Rank != task.Arm.Rank)
            {
                return $"{module}: rank {f.Rank}, the round's rank is {task.Arm.Rank}";
            }
            var (rows, cols) = ModuleCoordinates.Kept(f.Target, report.Mask.Layers[f.Layer], global.Config);
            if (f.A is null || f.B is null || f.A.Length != f.Rank * cols.Length || f.B.Length != rows.Length * f.Rank)
            {
                return $"{module}: factors A {f.A?.Length} and B {f.B?.Length} values, the mask needs {f.Rank * cols.Length} and {rows.Length * f.Rank}";
            }
            if (!AllFinite(f.A) || !AllFinite(f.B))
            {
                return $"{module}: factors hold NaN or infinite values";
            }
        }
        return null;
    }

    private static bool AllFinite(float[] values)
    {
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                return false;
            }
        }
        return true;
    }
}
