// Shared JSON plumbing for bandit state: one serializer configuration (doubles round-trip exactly) and a loader that
// checks the state belongs to this bandit kind and arm count, so a wrong or corrupt state fails with a clear message.
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace FedSpine.Federated.Bandits;

internal static class BanditJson
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    public static string Save<T>(T state) => JsonSerializer.Serialize(state, Options);

    public static T Load<T>(string json, string kind)
        where T : class
    {
        T? state;
        try
        {
            state = JsonSerializer.Deserialize<T>(json, Options);
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"bandit state for \"{kind}\" is not valid JSON: {e.Message}", nameof(json), e);
        }
        return state ?? throw new ArgumentException($"bandit state for \"{kind}\" is empty", nameof(json));
    }

    public static void Expect([DoesNotReturnIf(false)] bool condition, string kind, string what)
    {
        if (!condition)
        {
            throw new ArgumentException($"bandit state for \"{kind}\" does not match this bandit: {what}");
        }
    }
}
