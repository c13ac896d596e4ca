// The instruct task's per-device view of the final models: each device's model scored on the global test records of the
// categories its data holds (its "own" categories) beside the whole global test set (result.json's device_perplexity).
using System.Text.Json.Serialization;

namespace FedSpine.Federated.Runs;

/// <param name="Categories">The categories of the device's training and local test records.</param>
/// <param name="OwnCategoryPerplexity">Response perplexity on the global test records of those categories (tokens pooled);
/// null when the test set holds none of them.</param>
/// <param name="GlobalPerplexity">Response perplexity on the whole global test set.</param>
public sealed record DevicePerplexity(
    [property: JsonPropertyName("device")] int Device,
    [property: JsonPropertyName("categories")] IReadOnlyList<string> Categories,
    [property: JsonPropertyName("own_category_perplexity")] double? OwnCategoryPerplexity,
    [property: JsonPropertyName("global_perplexity")] double GlobalPerplexity)
{
    /// <summary>Geometric means over the devices of own-category and global perplexity (devices without an own-category
    /// score left out of both), and how many devices score lower on their own categories than on the whole test set.</summary>
    public static (double Own, double Global, int OwnLower, int Devices) Summarise(IReadOnlyList<DevicePerplexity> devices)
    {
        var scored = devices.Where(d => d.OwnCategoryPerplexity is not null).ToList();
        if (scored.Count == 0)
        {
            return (double.NaN, double.NaN, 0, 0);
        }
        return (Math.Exp(scored.Average(d => Math.Log(d.OwnCategoryPerplexity!.Value))), Math.Exp(scored.Average(d => Math.Log(d.GlobalPerplexity))),
            scored.Count(d => d.OwnCategoryPerplexity < d.GlobalPerplexity), scored.Count);
    }
}
