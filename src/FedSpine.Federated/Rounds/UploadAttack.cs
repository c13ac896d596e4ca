// Simulation only, for robustness experiments: turns a hostile device's honest upload into an attack before the server
// sees it. "scale:K" (B and head × K, so ΔW = K × the device's adapter), "sign-flip" (B and head negated), "value:V" (every
// factor and head value V), "samples:N" (claims N training samples), "nan" (one NaN in every factor).
using System.Globalization;

namespace FedSpine.Federated.Rounds;

public sealed record UploadAttack(string Kind, double Value)
{
    public static IReadOnlyList<string> Kinds { get; } = ["scale", "sign-flip", "value", "samples", "nan"];

    /// <summary>Parses "kind" or "kind:number"; a bad spec is an ArgumentException naming it.</summary>
    public static UploadAttack Parse(string spec)
    {
        string[] parts = spec.Split(':', 2);
        string kind = parts[0].Trim();
        double value = double.NaN;
        bool needsValue = kind is "scale" or "value" or "samples";
        if (!Kinds.Contains(kind) || needsValue != (parts.Length == 2) ||
            (parts.Length == 2 && !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out value)))
        {
            throw new ArgumentException($"attack: '{spec}' is not one of scale:K, sign-flip, value:V, samples:N, nan");
        }
        if (kind == "samples" && !(value >= 1 && value <= int.MaxValue))
        {
            throw new ArgumentException($"attack: '{spec}': the claimed sample count must be in 1..{int.MaxValue}");
        }
        return new UploadAttack(kind, value);
    }

    public DeviceReport Apply(DeviceReport report) => Kind switch
    {
        "scale" => Map(report, b => (float)(b * Value), a => a, h => (float)(h * Value)),
        "sign-flip" => Map(report, b => -b, a => a, h => -h),
        "value" => Map(report, _ => (float)Value, _ => (float)Value, _ => (float)Value),
        "samples" => report with { SampleCount = (int)Value },
        "nan" => report with { Factors = report.Factors.Select(f => f with { B = f.B.Select((v, i) => i == 0 ? float.NaN : v).ToArray() }).ToList() },
        _ => throw new InvalidOperationException($"attack: unknown kind '{Kind}'"),
    };

    private static DeviceReport Map(DeviceReport r, Func<float, float> b, Func<float, float> a, Func<float, float> head) => r with
    {
        Factors = r.Factors.Select(f => f with { A = f.A.Select(a).ToArray(), B = f.B.Select(b).ToArray() }).ToList(),
        HeadWeight = r.HeadWeight.Select(head).ToArray(),
        HeadBias = r.HeadBias.Select(head).ToArray(),
    };
}
