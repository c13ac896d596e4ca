// Selects an aggregation strategy by its run-config name ("scatter" is the default); "trimmed-mean:β" and
// "clipped-scatter:τ" take their parameter after a colon. An unknown name throws an ArgumentException naming it and
// listing the valid names.
using System.Globalization;

namespace FedSpine.Federated.Aggregation;

public static class Aggregators
{
    public const string DefaultName = "scatter";

    public static IReadOnlyList<string> Names { get; } =
        ["scatter", "hetlora", "flexlora", "factor-svd", "fedavg", "median", "trimmed-mean", "clipped-scatter"];

    public static ILoraAggregator Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int colon = name.IndexOf(':', StringComparison.Ordinal);
        string baseName = colon < 0 ? name : name[..colon];
        double? parameter = null;
        if (colon >= 0)
        {
            string text = name[(colon + 1)..];
            if (baseName is not ("trimmed-mean" or "clipped-scatter") ||
                !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            {
                throw new ArgumentException(
                    $"aggregation strategy '{name}': only trimmed-mean:β and clipped-scatter:τ take a number after ':'", nameof(name));
            }
            parameter = value;
        }
        return baseName switch
        {
            "scatter" => new MaskAwareAverage(),
            "hetlora" => new HetLoraAggregator(),
            "flexlora" => new FlexLoraAggregator(),
            "factor-svd" => new FactorSpaceAggregator(),
            "fedavg" => new FedAvgAggregator(),
            "median" => new CoordinateMedianAggregator(),
            "trimmed-mean" => new TrimmedMeanAggregator(parameter ?? TrimmedMeanAggregator.DefaultBeta),
            "clipped-scatter" => new ClippedScatterAggregator(parameter ?? ClippedScatterAggregator.DefaultMultiple),
            _ => throw new ArgumentException(
                $"unknown LoRA aggregation strategy '{name}'; expected one of: {string.Join(", ", Names)}", nameof(name)),
        };
    }
}
