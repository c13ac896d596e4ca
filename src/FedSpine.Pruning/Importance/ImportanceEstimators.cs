// The importance criteria by name, for configuration files and the command line: "lora" (default), "taylor", "magnitude".
// Unknown names give one message listing the valid ones.
namespace FedSpine.Pruning;

public static class ImportanceEstimators
{
    public static readonly string[] Names = ["lora", "lora-rows", "taylor", "magnitude"];

    public static IImportanceEstimator Create(string name) => name.ToLowerInvariant() switch
    {
        "lora" => new LoraGradientImportance(),
        "lora-rows" => new LoraGradientImportance(rowModulesOnly: true),
        "taylor" => new TaylorImportance(),
        "magnitude" => new MagnitudeImportance(),
        _ => throw new ArgumentException($"unknown importance criterion '{name}' (expected {string.Join(", ", Names)})"),
    };
}
