// adapter_config.json of a Hugging Face PEFT LoRA adapter: the fields PEFT writes (sorted keys, as PEFT saves them) and
// the rules PEFT applies when loading (target_modules matching, rank_pattern/alpha_pattern lookup with PEFT's regex).
using System.Text.Json;
using System.Text.RegularExpressions;

namespace FedSpine.Model.Formats;

public sealed record PeftAdapterConfig
{
    public const string FileName = "adapter_config.json";

    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    public string? BaseModelNameOrPath { get; init; }

    /// <summary>The default rank ("r"): the most common one; modules with another rank are listed in RankPattern.</summary>
    public required int Rank { get; init; }

    public required float Alpha { get; init; }

    /// <summary>Module names (a module matches when its name is one of them or ends with "." + one of them).</summary>
    public IReadOnlyList<string> TargetModules { get; init; } = [];

    /// <summary>A regular expression instead of a list (PEFT accepts a string): it must match the whole module name.</summary>
    public string? TargetModulesRegex { get; init; }

    /// <summary>Pattern → rank; a pattern p matches module name m when m matches ^(.*\.)?(p)$ (PEFT's get_pattern_key).</summary>
    public IReadOnlyDictionary<string, int> RankPattern { get; init; } = new Dictionary<string, int>();

    /// <summary>Layers the adapter applies to (null: all).</summary>
    public IReadOnlyList<int>? LayersToTransform { get; init; }

    /// <summary>Whether PEFT would put an adapter on the module (name as in the base model: "model.layers.3.mlp.up_proj").</summary>
    public bool Targets(string moduleName, int layer)
    {
        if (LayersToTransform is not null && !LayersToTransform.Contains(layer))
        {
            return false;
        }
        return TargetModulesRegex is not null
            ? Regex.IsMatch(moduleName, $"^(?:{TargetModulesRegex})$", RegexOptions.None, MatchTimeout)
            : TargetModules.Any(t => moduleName == t || moduleName.EndsWith("." + t, StringComparison.Ordinal));
    }

    /// <summary>The rank PEFT gives the module: the first matching RankPattern entry, else Rank.</summary>
    public int RankOf(string moduleName)
    {
        foreach (var (pattern, rank) in RankPattern)
        {
            if (Regex.IsMatch(moduleName, PatternRegex(pattern), RegexOptions.None, MatchTimeout))
            {
                return rank;
            }
        }
        return Rank;
    }

    private static string PatternRegex(string pattern) => $"^(?:.*\\.)?(?:{pattern})$";

    /// <summary>Writes the file as PEFT does: every LoraConfig field a LoRA adapter carries, keys sorted, two-space indent.</summary>
    public void Write(string path)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartObject("alpha_pattern");
            w.WriteEndObject();
            w.WriteNull("auto_mapping");
            WriteStringOrNull(w, "base_model_name_or_path", BaseModelNameOrPath);
            w.WriteString("bias", "none");
            w.WriteBoolean("fan_in_fan_out", false);
            w.WriteBoolean("inference_mode", true);
            w.WriteBoolean("init_lora_weights", true);
            w.WriteNull("layers_pattern");
            w.WritePropertyName("layers_to_transform");
            if (LayersToTransform is null)
            {
                w.WriteNullValue();
            }
            else
            {
                JsonSerializer.Serialize(w, LayersToTransform);
            }
            w.WriteNumber("lora_alpha", Alpha);
            w.WritePropertyName("lora_dropout");
            w.WriteRawValue("0.0"); // PEFT writes a float; the adapter is for inference, so no dropout
            w.WriteNull("modules_to_save");
            w.WriteString("peft_type", "LORA");
            w.WriteNumber("r", Rank);
            w.WriteStartObject("rank_pattern");
            foreach (var (pattern, rank) in RankPattern)
            {
                w.WriteNumber(pattern, rank);
            }
            w.WriteEndObject();
            w.WriteNull("revision");
            w.WritePropertyName("target_modules");
            if (TargetModulesRegex is not null)
            {
                w.WriteStringValue(TargetModulesRegex);
            }
            else
            {
                JsonSerializer.Serialize(w, TargetModules);
            }
            w.WriteString("task_type", "CAUSAL_LM");
            w.WriteBoolean("use_dora", false);
            w.WriteBoolean("use_rslora", false);
            w.WriteEndObject();
        }
        AtomicFile.WriteAllBytes(path, stream.ToArray());
    }

    /// <summary>Reads and checks the file: a LoRA adapter for causal LM that this engine can apply exactly.</summary>
    public static PeftAdapterConfig Read(string path)
    {
        JsonDocument document;
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            document = JsonDocument.Parse(bytes.AsMemory(bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0)); // a byte-order mark is tolerated
        }
        catch (JsonException e)
        {
            throw Bad(path, $"not valid JSON ({e.Message})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad(path, $"must be a JSON object, found {root.ValueKind}");
            }
            string peftType = RequireString(path, root, "peft_type");
            if (peftType != "LORA")
            {
                throw Bad(path, $"'peft_type' is '{peftType}', only 'LORA' adapters are supported");
            }
            ExpectIfPresent(path, root, "task_type", e => e.ValueKind == JsonValueKind.Null || (e.ValueKind == JsonValueKind.String && e.GetString() == "CAUSAL_LM"),
                "\"CAUSAL_LM\"");
            ExpectIfPresent(path, root, "bias", e => e.ValueKind == JsonValueKind.String && e.GetString() == "none", "\"none\" (bias training is not supported)");
            ExpectIfPresent(path, root, "fan_in_fan_out", e => e.ValueKind == JsonValueKind.False, "false (weights are [out, in])");
            ExpectIfPresent(path, root, "use_rslora", e => e.ValueKind == JsonValueKind.False, "false (scale is lora_alpha / r)");
            ExpectIfPresent(path, root, "use_dora", e => e.ValueKind == JsonValueKind.False, "false (DoRA is not supported)");
            ExpectIfPresent(path, root, "modules_to_save", e => e.ValueKind == JsonValueKind.Null || (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 0),
                "null (fully trained extra modules are not supported)");
            int rank = RequireInt(path, root, "r");
            if (rank < 1)
            {
                throw Bad(path, $"'r' is {rank}, must be at least 1");
            }
            var alphaElement = Require(path, root, "lora_alpha");
            float alpha = alphaElement.ValueKind == JsonValueKind.Number ? alphaElement.GetSingle() : throw Bad(path, $"'lora_alpha' must be a number, found {alphaElement.ValueKind}");
            CheckAlphaPattern(path, root, alpha);
            var targets = Require(path, root, "target_modules");
            var config = new PeftAdapterConfig
            {
                BaseModelNameOrPath = root.TryGetProperty("base_model_name_or_path", out var b) && b.ValueKind == JsonValueKind.String ? b.GetString() : null,
                Rank = rank,
                Alpha = alpha,
                TargetModules = targets.ValueKind == JsonValueKind.Array ? StringList(path, targets, "target_modules") : [],
                TargetModulesRegex = targets.ValueKind == JsonValueKind.String ? targets.GetString()
                    : targets.ValueKind == JsonValueKind.Array ? null : throw Bad(path, $"'target_modules' must be a list of names or a regex string, found {targets.ValueKind}"),
                RankPattern = ReadRankPattern(path, root),
                LayersToTransform = ReadLayers(path, root),
            };
            CheckRegex(path, "target_modules", config.TargetModulesRegex is null ? null : $"^(?:{config.TargetModulesRegex})$");
            foreach (string pattern in config.RankPattern.Keys)
            {
                CheckRegex(path, $"rank_pattern key '{pattern}'", PatternRegex(pattern));
            }
            return config;
        }
    }

    private static void CheckRegex(string path, string what, string? regex)
    {
        try
        {
            _ = regex is null ? null : new Regex(regex, RegexOptions.None, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw Bad(path, $"{what} is not a valid regular expression ({e.Message})");
        }
    }

    private static void CheckAlphaPattern(string path, JsonElement root, float alpha)
    {
        if (!root.TryGetProperty("alpha_pattern", out var pattern) || pattern.ValueKind == JsonValueKind.Null)
        {
            return;
        }
        if (pattern.ValueKind != JsonValueKind.Object)
        {
            throw Bad(path, $"'alpha_pattern' must be an object, found {pattern.ValueKind}");
        }
        foreach (var entry in pattern.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || entry.Value.GetSingle() != alpha)
            {
                throw Bad(path, $"'alpha_pattern' gives '{entry.Name}' alpha {entry.Value.GetRawText()}; one lora_alpha ({alpha}) for every module is supported");
            }
        }
    }

    private static Dictionary<string, int> ReadRankPattern(string path, JsonElement root)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        if (!root.TryGetProperty("rank_pattern", out var pattern) || pattern.ValueKind == JsonValueKind.Null)
        {
            return result;
        }
        if (pattern.ValueKind != JsonValueKind.Object)
        {
            throw Bad(path, $"'rank_pattern' must be an object, found {pattern.ValueKind}");
        }
        foreach (var entry in pattern.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int r) || r < 1)
            {
                throw Bad(path, $"'rank_pattern' entry '{entry.Name}' is {entry.Value.GetRawText()}, expected a positive integer rank");
            }
            result[entry.Name] = r;
        }
        return result;
    }

    private static List<int>? ReadLayers(string path, JsonElement root)
    {
        if (!root.TryGetProperty("layers_to_transform", out var layers) || layers.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (layers.ValueKind == JsonValueKind.Number && layers.TryGetInt32(out int single))
        {
            return [single];
        }
        if (layers.ValueKind != JsonValueKind.Array)
        {
            throw Bad(path, $"'layers_to_transform' must be null, a layer index or a list of them, found {layers.ValueKind}");
        }
        return layers.EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int i) ? i : throw Bad(path, $"'layers_to_transform' entry {e.GetRawText()} is not a layer index"))
            .ToList();
    }

    private static List<string> StringList(string path, JsonElement array, string key) =>
        array.EnumerateArray()
            .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Bad(path, $"'{key}' entry {e.GetRawText()} is not a string"))
            .ToList();

    private static JsonElement Require(string path, JsonElement root, string key) =>
        root.TryGetProperty(key, out var value) ? value : throw Bad(path, $"missing field '{key}'");

    private static string RequireString(string path, JsonElement root, string key)
    {
        var value = Require(path, root, key);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Bad(path, $"'{key}' must be a string, found {value.ValueKind}");
    }

    private static int RequireInt(string path, JsonElement root, string key)
    {
        var value = Require(path, root, key);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int v) ? v : throw Bad(path, $"'{key}' must be an integer, found {value.GetRawText()}");
    }

    private static void ExpectIfPresent(string path, JsonElement root, string key, Func<JsonElement, bool> ok, string expected)
    {
        if (root.TryGetProperty(key, out var value) && !ok(value))
        {
            throw Bad(path, $"'{key}' is {value.GetRawText()}, expected {expected}");
        }
    }

    private static void WriteStringOrNull(Utf8JsonWriter writer, string key, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(key);
        }
        else
        {
            writer.WriteString(key, value);
        }
    }

    internal static InvalidDataException Bad(string path, string problem) => new($"{path}: invalid PEFT adapter config: {problem}");
}
