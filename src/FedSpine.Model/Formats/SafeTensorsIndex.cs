// model.safetensors.index.json of a sharded HF model: {"metadata": {"total_size": bytes}, "weight_map": {tensor: shard file}}.
// Shard names must be plain file names inside the model folder.
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FedSpine.Model.Formats;

public static class SafeTensorsIndex
{
    public const string FileName = "model.safetensors.index.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Tensor name to shard file name.</summary>
    public static Dictionary<string, string> Read(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllBytes(path), documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})", e);
        }
        if (root is not JsonObject rootObject || rootObject["weight_map"] is not JsonObject map)
        {
            throw new InvalidDataException($"{path}: no \"weight_map\" object");
        }
        var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in map)
        {
            if (value is not JsonValue v || !v.TryGetValue(out string? file) || Path.GetFileName(file) != file || file.Length == 0)
            {
                throw new InvalidDataException($"{path}: weight_map entry '{name}' is not a shard file name in the model folder");
            }
            weightMap.Add(name, file);
        }
        return weightMap;
    }

    public static void Write(string path, long totalSize, IReadOnlyDictionary<string, string> weightMap)
    {
        var map = new JsonObject();
        foreach (var (name, file) in weightMap)
        {
            map[name] = file;
        }
        var root = new JsonObject
        {
            ["metadata"] = new JsonObject { ["total_size"] = totalSize },
            ["weight_map"] = map,
        };
        File.WriteAllText(path, root.ToJsonString(Indented) + "\n");
    }
}
