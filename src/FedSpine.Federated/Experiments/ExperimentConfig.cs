// An experiment config: a run config (every key of `simulate`'s) plus the experiment's own keys: seeds, variants of a
// method under other settings, the reference arm and the time-to-accuracy smoothing. Each arm runs once per seed.
using System.Text.Json;
using System.Text.Json.Nodes;
using FedSpine.Federated.Runs;

namespace FedSpine.Federated.Experiments;

/// <summary>One compared arm: a method of the catalogue, under the base settings or a variant's overrides.</summary>
/// <param name="Name">The method's name, or the variant's.</param>
/// <param name="Settings">The run config keys that differ from the base (empty for a plain method).</param>
public sealed record ExperimentArm(string Name, string Method, JsonObject Settings);

public sealed class ExperimentConfig
{
    /// <summary>Keys of an experiment config that are not run config keys.</summary>
    public static readonly string[] ExperimentKeys = ["seeds", "variants", "reference", "smoothing_window", "bootstrap_replicates", "source"];

    private readonly JsonObject _base;

    private ExperimentConfig(JsonObject baseNode, string source, IReadOnlyList<ulong> seeds, IReadOnlyList<ExperimentArm> arms,
        string reference, int window, int replicates)
    {
        _base = baseNode;
        Source = source;
        Seeds = seeds;
        Arms = arms;
        Reference = reference;
        SmoothingWindow = window;
        BootstrapReplicates = replicates;
        Base = RunConfigFile.FromNode((JsonObject)baseNode.DeepClone(), source);
    }

    /// <summary>The config file the experiment was started from (kept through resumes).</summary>
    public string Source { get; }
    public RunConfig Base { get; }
    public IReadOnlyList<ulong> Seeds { get; }
    public IReadOnlyList<ExperimentArm> Arms { get; }

    /// <summary>The arm every other arm is compared with (differences are reference minus other; speed-ups other / reference).</summary>
    public string Reference { get; }

    /// <summary>Evaluations in the trailing moving average of the time-to-accuracy rule.</summary>
    public int SmoothingWindow { get; }
    public int BootstrapReplicates { get; }

    public static ExperimentConfig Load(string path, IReadOnlyList<ulong>? seeds = null) => Parse(RunConfigFile.ReadNode(path), path, seeds);

    /// <summary>Reads the experiment keys off the mapping and checks every arm's run config; seeds given here replace the file's.</summary>
    public static ExperimentConfig Parse(JsonObject node, string source, IReadOnlyList<ulong>? seedsOverride = null)
    {
        var baseNode = (JsonObject)node.DeepClone();
        foreach (string key in ExperimentKeys)
        {
            baseNode.Remove(key);
        }
        var seeds = seedsOverride ?? Read<ulong[]>(node, "seeds", source) ?? [RunConfigFile.FromNode((JsonObject)baseNode.DeepClone(), source).Seed];
        Require(seeds.Count > 0 && seeds.Distinct().Count() == seeds.Count, source, "seeds", "must list at least one seed, each once");
        int window = Read<int?>(node, "smoothing_window", source) ?? 3;
        Require(window >= 1, source, "smoothing_window", $"must be at least 1 (got {window})");
        int replicates = Read<int?>(node, "bootstrap_replicates", source) ?? 2000;
        Require(replicates >= 100, source, "bootstrap_replicates", $"must be at least 100 (got {replicates})");

        var plain = RunConfigFile.FromNode((JsonObject)baseNode.DeepClone(), source);
        var arms = plain.Methods.Select(m => new ExperimentArm(m, m, new JsonObject())).ToList();
        if (node["variants"] is JsonNode variants)
        {
            Require(variants is JsonObject, source, "variants", "must map each variant's name to its settings (a 'method' key and run config keys)");
            foreach (var (name, value) in (JsonObject)variants)
            {
                Require(value is JsonObject, source, $"variants.{name}", "must be a mapping of run config keys");
                var settings = (JsonObject)value!.DeepClone();
                string method = settings["method"]?.GetValue<string>() ?? "fedspine";
                settings.Remove("method");
                Require(!arms.Any(a => a.Name == name), source, $"variants.{name}", "names an arm twice (a method or another variant)");
                Require(name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'), source, $"variants.{name}",
                    "a variant name may hold only letters, digits, '-', '_' and '.' (it names a folder)");
                arms.Add(new ExperimentArm(name, method, settings));
            }
        }
        string reference = Read<string>(node, "reference", source) ?? (arms.Any(a => a.Name == "fedspine") ? "fedspine" : arms[0].Name);
        Require(arms.Any(a => a.Name == reference), source, "reference", $"'{reference}' is not an arm of the experiment ({string.Join(", ", arms.Select(a => a.Name))})");
        var config = new ExperimentConfig(baseNode, Read<string>(node, "source", source) ?? source, seeds, arms, reference, window, replicates);
        foreach (var arm in arms)
        {
            try
            {
                RunConfigValidator.Validate(config.RunConfigFor(arm, seeds[0]));
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{source}: arm {arm.Name}: {e.Message}", e);
            }
        }
        return config;
    }

    /// <summary>The run config of one (arm, seed): the base keys, the arm's overrides, its one method and the seed.</summary>
    public RunConfig RunConfigFor(ExperimentArm arm, ulong seed)
    {
        var node = (JsonObject)_base.DeepClone();
        foreach (var (key, value) in arm.Settings)
        {
            node[key] = value?.DeepClone();
        }
        node["methods"] = new JsonArray(JsonValue.Create(arm.Method));
        node["seed"] = JsonValue.Create(seed);
        return RunConfigFile.FromNode(node, arm.Settings.Count == 0 ? Source : $"{Source} (variant {arm.Name})");
    }

    /// <summary>The whole experiment config as JSON (saved in the experiment folder, read back by --resume).</summary>
    public JsonObject ToNode()
    {
        var node = (JsonObject)_base.DeepClone();
        node["seeds"] = new JsonArray(Seeds.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
        var variants = new JsonObject();
        foreach (var arm in Arms.Where(a => a.Settings.Count > 0 || a.Name != a.Method))
        {
            var v = (JsonObject)arm.Settings.DeepClone();
            v["method"] = arm.Method;
            variants[arm.Name] = v;
        }
        if (variants.Count > 0)
        {
            node["variants"] = variants;
        }
        node["reference"] = Reference;
        node["source"] = Source;
        node["smoothing_window"] = SmoothingWindow;
        node["bootstrap_replicates"] = BootstrapReplicates;
        return node;
    }

    private static T? Read<T>(JsonObject node, string key, string source)
    {
        if (node[key] is not JsonNode value)
        {
            return default;
        }
        try
        {
            return value.Deserialize<T>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{source}: key '{key}' has a value of the wrong type", e);
        }
    }

    private static void Require(bool ok, string source, string key, string what)
    {
        if (!ok)
        {
            throw new ArgumentException($"{source}: {key}: {what}");
        }
    }
}
