// One instruct test record with a final device model's greedy response and its ROUGE-L F1, as result.json and the
// report show them.
using System.Text.Json.Serialization;

namespace FedSpine.Federated.Runs;

public sealed record ShownResponse(
    [property: JsonPropertyName("device")] int Device,
    [property: JsonPropertyName("category")] string Category,
    [property: JsonPropertyName("instruction")] string Instruction,
    [property: JsonPropertyName("context")] string Context,
    [property: JsonPropertyName("reference")] string Reference,
    [property: JsonPropertyName("response")] string Response,
    [property: JsonPropertyName("rouge_l")] double RougeL);
