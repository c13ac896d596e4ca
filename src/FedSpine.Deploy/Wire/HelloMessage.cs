// The registration exchange: a device says who it is (and which profile, if any, throttles it); the server answers with
// what the device needs to train exactly as the simulator's device would: the run config (server paths removed), the
// class names, the row length, its class and the run's key (a device's saved state belongs to one run).
using System.Text.Json.Serialization;

namespace FedSpine.Deploy.Wire;

public sealed record HelloRequest(
    [property: JsonPropertyName("device")] int Device,
    [property: JsonPropertyName("profile")] string? Profile = null,
    [property: JsonPropertyName("agent")] string? Agent = null);

/// <param name="Config">The run config as JSON (RunConfigFile), with the server's model and data paths blanked.</param>
/// <param name="RunKey">Random per run folder, kept on resume: a device's state file from another run is discarded.</param>
public sealed record HelloResponse(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("run_key")] string RunKey,
    [property: JsonPropertyName("method")] string Method,
    [property: JsonPropertyName("device")] int Device,
    [property: JsonPropertyName("device_class")] string DeviceClass,
    [property: JsonPropertyName("labels")] IReadOnlyList<string> Labels,
    [property: JsonPropertyName("max_tokens")] int MaxTokens,
    [property: JsonPropertyName("rounds")] int Rounds,
    [property: JsonPropertyName("round")] int Round,
    [property: JsonPropertyName("config")] string Config);

/// <summary>A poll's answer when no task is waiting: "wait" (poll again) or "finished" (the run is over; exit).</summary>
public sealed record PollState(
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("round")] int Round,
    [property: JsonPropertyName("notices")] IReadOnlyList<string> Notices);

public sealed record DeclineRequest([property: JsonPropertyName("reason")] string Reason);

public sealed record ErrorBody([property: JsonPropertyName("error")] string Error);
