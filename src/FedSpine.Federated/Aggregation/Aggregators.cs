// Selects an aggregation strategy by its run-config name ("scatter" is the default); an unknown name throws an
// ArgumentException naming it and listing the valid names.
namespace FedSpine.Federated.Aggregation;

public static class Aggregators
{
    public const string DefaultName = "scatter";

    public static IReadOnlyList<string> Names { get; } = ["scatter", "hetlora", "flexlora", "factor-svd", "fedavg"];

    public static ILoraAggregator Create(string name) => name switch
    {
        "scatter" => new MaskAwareAverage(),
        "hetlora" => new HetLoraAggregator(),
        "flexlora" => new FlexLoraAggregator(),
        "factor-svd" => new FactorSpaceAggregator(),
        "fedavg" => new FedAvgAggregator(),
        _ => throw new ArgumentException(
            $"unknown LoRA aggregation strategy '{name}'; expected one of: {string.Join(", ", Names)}", nameof(name)),
    };
}
