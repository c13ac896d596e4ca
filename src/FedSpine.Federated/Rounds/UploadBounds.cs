// Bounds a round's accepted uploads before aggregation so that no single device dominates: each device's change against
// what it was sent (factors at its kept coordinates, and the head) is clipped to ClipMultiple × the round's median change
// norm, and its sample-count weight is capped by the count the server knows for it, else at WeightCapMultiple × median claim.
using FedSpine.Federated.Aggregation;

namespace FedSpine.Federated.Rounds;

public static class UploadBounds
{
    /// <param name="Report">The upload as aggregated: factors and head moved back toward what was sent by ClipFactor, and
    /// SampleCount replaced by the capped weight.</param>
    /// <param name="ChangeNorm">||upload − sent||₂ over every factor value and the head, before clipping.</param>
    /// <param name="ClipFactor">1 when not clipped, else bound / ChangeNorm.</param>
    /// <param name="ClaimedSamples">The device's own sample count.</param>
    public sealed record Bounded(DeviceReport Report, double ChangeNorm, double ClipFactor, int ClaimedSamples);

    /// <summary>The uploads as they are aggregated. Rules (off when the multiple is 0): bound = ClipMultiple × median of the
    /// round's change norms, an upload above it becomes sent + (bound / norm)·(upload − sent); weight = min(claim, known
    /// count of that device) when the server knows the devices' counts, else min(claim, max(1, ⌊WeightCapMultiple × median
    /// claim⌋)); WeightCapMultiple 0 trusts every claim. Medians of an even count are the mean of the two middle values.</summary>
    public static IReadOnlyList<Bounded> Apply(IReadOnlyList<(DeviceReport Report, float Alpha)> uploads, GlobalLora global, ServerSettings settings)
    {
        var norms = uploads.Select(u => ChangeNorm(u.Report, u.Alpha, global)).ToArray();
        double bound = settings.ClipMultiple > 0 && norms.Length > 0 ? settings.ClipMultiple * OwnedCoordinateValues.Median(norms.Order().ToArray()) : double.PositiveInfinity;
        var claims = uploads.Select(u => (double)u.Report.SampleCount).ToArray();
        int medianCap = settings.WeightCapMultiple > 0 && claims.Length > 0
            ? (int)Math.Clamp(Math.Floor(settings.WeightCapMultiple * OwnedCoordinateValues.Median(claims.Order().ToArray())), 1, int.MaxValue)
            : int.MaxValue;
        var result = new List<Bounded>(uploads.Count);
        for (int i = 0; i < uploads.Count; i++)
        {
            var (report, alpha) = uploads[i];
            int cap = settings.WeightCapMultiple <= 0 ? int.MaxValue
                : settings.KnownSampleCounts is { } known && report.DeviceId < known.Count ? known[report.DeviceId] : medianCap;
            int weight = Math.Min(report.SampleCount, Math.Max(1, cap));
            double factor = norms[i] > bound ? bound / norms[i] : 1;
            var bounded = factor < 1 ? MoveToward(report, alpha, global, factor) : report;
            result.Add(new Bounded(bounded with { SampleCount = weight }, norms[i], factor, report.SampleCount));
        }
        return result;
    }

    /// <summary>||upload − sent||₂ in double over every factor value (B in the device's units, scale α/r = lora_scale for
    /// every rank) and the head against the global head.</summary>
    public static double ChangeNorm(DeviceReport report, float alpha, GlobalLora global)
    {
        double sum = 0;
        foreach (var (upload, sent) in Pairs(report, alpha, global))
        {
            sum += SquaredDistance(upload.A, sent.A) + SquaredDistance(upload.B, sent.B);
        }
        sum += SquaredDistance(report.HeadWeight, global.HeadWeight) + SquaredDistance(report.HeadBias, global.HeadBias);
        return Math.Sqrt(sum);
    }

    private static DeviceReport MoveToward(DeviceReport report, float alpha, GlobalLora global, double factor)
    {
        var factors = Pairs(report, alpha, global)
            .Select(p => p.Upload with { A = Interpolate(p.Sent.A, p.Upload.A, factor), B = Interpolate(p.Sent.B, p.Upload.B, factor) })
            .ToList();
        return report with
        {
            Factors = factors,
            HeadWeight = Interpolate(global.HeadWeight, report.HeadWeight, factor),
            HeadBias = Interpolate(global.HeadBias, report.HeadBias, factor),
        };
    }

    /// <summary>Each uploaded module with the global slice at the upload's mask and rank (what the device was sent there).</summary>
    private static IEnumerable<(ModuleFactors Upload, ModuleFactors Sent)> Pairs(DeviceReport report, float alpha, GlobalLora global)
    {
        int rank = report.Factors[0].Rank;
        var sent = global.SliceFor(report.Mask, rank, alpha).ToDictionary(f => (f.Layer, f.Target));
        return report.Factors.Select(f => (f, sent[(f.Layer, f.Target)]));
    }

    private static double SquaredDistance(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }

    /// <returns>[from.Length] from + factor·(to − from), in double.</returns>
    private static float[] Interpolate(float[] from, float[] to, double factor)
    {
        var result = new float[from.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = (float)(from[i] + factor * ((double)to[i] - from[i]));
        }
        return result;
    }
}
