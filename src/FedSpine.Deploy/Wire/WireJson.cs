// JSON settings of every message between server and devices: snake_case fields declared on the records, unknown fields
// and missing required ones rejected, NaN/Infinity allowed as literals (so the validator, not the parser, names them).
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FedSpine.Deploy.Wire;

public static class WireJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Parses what, naming it and the offending field in a 400 WireError when the JSON is malformed or mistyped.</summary>
    public static T Deserialize<T>(string json, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options) ?? throw new WireError(400, $"{what}: empty JSON (null)");
        }
        catch (JsonException e)
        {
            string field = e.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : "";
            string detail = e.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "has an unknown field"
                : e.Message.Contains("missing required", StringComparison.Ordinal) ? "lacks a required field"
                : field.Length > 0 ? $"field '{field}' has a value of the wrong type" : "is not valid JSON";
            throw new WireError(400, $"{what} {detail} ({FirstSentence(e.Message)})");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new WireError(400, $"{what}: {FirstSentence(e.Message)}");
        }
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return (end < 0 ? message : message[..end]).Replace('\n', ' ').Replace('\r', ' ');
    }
}
