// Reads a run config from JSON or YAML (by extension) into RunConfig: unknown keys and values of the wrong type are
// errors naming the file and the key; YAML plain scalars become numbers, booleans or null where they read as such.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace FedSpine.Federated.Runs;

public static class RunConfigFile
{
    private static readonly JsonSerializerOptions Options = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static RunConfig Load(string path) => FromNode(ReadNode(path), path);

    public static RunConfig Parse(string text, string source, bool yaml) => FromNode(ReadNode(text, source, yaml), source);

    /// <summary>The file's text as a JSON mapping (YAML converted), before it is read as a run config.</summary>
    public static JsonObject ReadNode(string text, string source, bool yaml)
    {
        JsonNode? node;
        try
        {
            node = yaml ? FromYaml(text) : JsonNode.Parse(text);
        }
        catch (Exception e) when (e is JsonException or YamlException)
        {
            throw new InvalidDataException($"{source}: not valid {(yaml ? "YAML" : "JSON")} ({e.Message})", e);
        }
        return node as JsonObject ?? throw new InvalidDataException($"{source}: a run config must be a mapping of keys to values");
    }

    /// <summary>Reads a run config file's text (JSON, or YAML by extension) as a JSON mapping.</summary>
    public static JsonObject ReadNode(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: run config not found");
        }
        bool yaml = path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);
        return ReadNode(File.ReadAllText(path), path, yaml);
    }

    /// <summary>A run config from a mapping of its keys; unknown keys and wrong types are errors naming source and key.</summary>
    public static RunConfig FromNode(JsonObject obj, string source)
    {
        try
        {
            return obj.Deserialize<RunConfig>(Options) ?? throw new InvalidDataException($"{source}: empty run config");
        }
        catch (JsonException e)
        {
            string key = e.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : "?";
            string detail = e.Message.Contains("could not be mapped", StringComparison.Ordinal)
                ? $"unknown key '{UnknownKey(e.Message)}'"
                : $"key '{key}' has a value of the wrong type";
            throw new InvalidDataException($"{source}: {detail}", e);
        }
    }

    public static string ToJson(RunConfig config) => JsonSerializer.Serialize(config, Options);

    private static string UnknownKey(string message)
    {
        int start = message.IndexOf('\'', StringComparison.Ordinal);
        int end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? message[(start + 1)..end] : "?";
    }

    private static JsonNode? FromYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count == 0 ? new JsonObject() : Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode s => Scalar(s),
        _ => throw new InvalidDataException($"unsupported YAML node at line {node.Start.Line}"),
    };

    private static JsonNode? Scalar(YamlScalarNode s)
    {
        string v = s.Value ?? "";
        if (s.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted)
        {
            return JsonValue.Create(v);
        }
        if (v is "" or "~" or "null")
        {
            return null;
        }
        if (v is "true" or "false")
        {
            return JsonValue.Create(v == "true");
        }
        if (long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l))
        {
            return JsonValue.Create(l);
        }
        if (double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d))   // "nan", "Infinity": text
        {
            return JsonValue.Create(d);
        }
        return JsonValue.Create(v);
    }
}
