// How a dataset is split over devices, as written on a command line or in a run config: "iid", "dirichlet:ALPHA" or "group".
// Parse gives one clear message for a bad spec; ToString writes the same text back; Apply runs the Partitioner.
using System.Globalization;
using FedSpine.Model.Tasks;
using FedSpine.Tensors;

namespace FedSpine.Federated.Data;

public enum PartitionKind
{
    /// <summary>Uniformly random, equal sizes.</summary>
    Iid,

    /// <summary>Label skew: per-class Dirichlet(alpha) proportions over devices.</summary>
    Dirichlet,

    /// <summary>Each example's natural group (TextExample.Group) wholly on one device.</summary>
    Group,
}

/// <param name="Alpha">Dirichlet concentration (only for Dirichlet; smaller = more skew).</param>
public sealed record PartitionSpec(PartitionKind Kind, double Alpha = 0)
{
    public const string Format = "iid, dirichlet:ALPHA (e.g. dirichlet:0.5) or group";

    public static PartitionSpec Iid { get; } = new(PartitionKind.Iid);

    public static PartitionSpec ByGroup { get; } = new(PartitionKind.Group);

    public static PartitionSpec Dirichlet(double alpha) =>
        alpha > 0 && double.IsFinite(alpha)
            ? new(PartitionKind.Dirichlet, alpha)
            : throw new ArgumentException($"partition 'dirichlet:{alpha.ToString(CultureInfo.InvariantCulture)}': alpha must be a positive number");

    /// <summary>Parses "iid", "dirichlet:ALPHA" or "group" (case-insensitive, spaces around parts ignored).</summary>
    public static PartitionSpec Parse(string text)
    {
        string spec = (text ?? "").Trim();
        int colon = spec.IndexOf(':', StringComparison.Ordinal);
        string kind = (colon < 0 ? spec : spec[..colon]).Trim().ToLowerInvariant();
        string? argument = colon < 0 ? null : spec[(colon + 1)..].Trim();
        switch (kind)
        {
            case "iid" or "group" when argument is not null:
                throw new ArgumentException($"partition '{spec}': '{kind}' takes no argument; expected {Format}");
            case "iid":
                return Iid;
            case "group":
                return ByGroup;
            case "dirichlet" when string.IsNullOrEmpty(argument):
                throw new ArgumentException($"partition '{spec}': dirichlet needs a concentration, e.g. dirichlet:0.5");
            case "dirichlet":
                if (!double.TryParse(argument, NumberStyles.Float, CultureInfo.InvariantCulture, out double alpha) || !(alpha > 0) || !double.IsFinite(alpha))
                {
                    throw new ArgumentException($"partition '{spec}': alpha '{argument}' must be a positive number, e.g. dirichlet:0.5");
                }
                return new PartitionSpec(PartitionKind.Dirichlet, alpha);
            default:
                throw new ArgumentException($"unknown partition '{spec}'; expected {Format}");
        }
    }

    public override string ToString() => Kind switch
    {
        PartitionKind.Iid => "iid",
        PartitionKind.Group => "group",
        _ => "dirichlet:" + Alpha.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>Example indices of data per device (see Partitioner); minPerDevice applies to Dirichlet draws.</summary>
    public int[][] Apply(TextClassificationDataset data, int devices, Rng rng, int minPerDevice = 2) => Kind switch
    {
        PartitionKind.Iid => Partitioner.Iid(data.Count, devices, rng),
        PartitionKind.Dirichlet => Partitioner.Dirichlet(data.Examples.Select(e => e.Label).ToArray(), data.ClassCount, devices, Alpha, rng, minPerDevice),
        PartitionKind.Group => Partitioner.ByGroup(data.Examples.Select(e => e.Group).ToArray(), devices, rng),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
    };
}
