// A LoRA adapter as a Hugging Face PEFT folder: adapter_config.json plus adapter_model.safetensors holding
// base_model.model.model.layers.{i}.{module}.lora_A.weight [r, in] and .lora_B.weight [out, r] for every adapted module.
using System.Text.RegularExpressions;
using FedSpine.Model.Lora;
using FedSpine.Tensors;

namespace FedSpine.Model.Formats;

public static partial class PeftAdapter
{
    public const string WeightsFileName = "adapter_model.safetensors";

    private const string KeyPrefix = "base_model.model.";

    /// <summary>The PEFT tensor name of one factor, e.g. "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight".</summary>
    public static string KeyOf(string module, char factor) => $"{KeyPrefix}{module}.lora_{factor}.weight";

    /// <summary>Writes the folder: r is the most common rank, other ranks go to rank_pattern; one lora_alpha for all.</summary>
    public static void Save(string folder, LoraWeights lora, string? baseModelName)
    {
        var adapters = lora.Adapters.ToList();
        if (adapters.Count == 0)
        {
            throw new ArgumentException($"{folder}: the LoRA weights hold no adapter to save");
        }
        Directory.CreateDirectory(folder);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (_, _, module, adapter) in adapters)
        {
            tensors.Add(new(KeyOf(module, 'A'), adapter.A));
            tensors.Add(new(KeyOf(module, 'B'), adapter.B));
        }
        SafeTensorsFile.Write(Path.Combine(folder, WeightsFileName), tensors, SafeTensorsDtype.F32, new Dictionary<string, string> { ["format"] = "pt" });
        Config(adapters, lora.LayerCount, lora.Alpha, baseModelName).Write(Path.Combine(folder, PeftAdapterConfig.FileName));
    }

    /// <summary>Reads the folder as adapters for <paramref name="model"/> (its own, possibly pruned, shapes). Every key, shape and
    /// rank is checked against the model and the config before anything is allocated; problems name the file and the key.</summary>
    public static LoraWeights Load(string folder, LlamaWeights model)
    {
        string configPath = Path.Combine(folder, PeftAdapterConfig.FileName);
        string weightsPath = Path.Combine(folder, WeightsFileName);
        if (!File.Exists(configPath))
        {
            throw new FileNotFoundException($"{folder}: no {PeftAdapterConfig.FileName} (not a PEFT adapter folder)", configPath);
        }
        if (!File.Exists(weightsPath))
        {
            throw new FileNotFoundException($"{folder}: no {WeightsFileName} (only safetensors adapters are supported, not adapter_model.bin)", weightsPath);
        }
        var config = PeftAdapterConfig.Read(configPath);
        using var file = SafeTensorsFile.Open(weightsPath);
        var found = Modules(file, model.Config.NumHiddenLayers);
        var ranks = new Dictionary<(int Layer, LoraTarget Target), int>();
        foreach (var ((layer, target), (a, b)) in found)
        {
            ranks[(layer, target)] = CheckModule(file.Path, configPath, config, model, layer, target, a, b);
        }
        for (int layer = 0; layer < model.Config.NumHiddenLayers; layer++)
        {
            foreach (var target in LoraTargets.All)
            {
                string module = ModuleName(layer, target);
                if (!found.ContainsKey((layer, target)) && config.Targets(module, layer))
                {
                    throw new InvalidDataException($"{file.Path}: target_modules in {configPath} selects '{module}' but there is no '{KeyOf(module, 'A')}'");
                }
            }
        }
        var lora = LoraWeights.Allocate(model.Config, model.LayerShapes, (l, t) => ranks.GetValueOrDefault((l, t)), config.Alpha);
        foreach (var (layer, target, _, adapter) in lora.Adapters)
        {
            var (a, b) = found[(layer, target)];
            file.ReadInto(a, adapter.A.Span);
            file.ReadInto(b, adapter.B.Span);
        }
        return lora;
    }

    private static PeftAdapterConfig Config(List<(int Layer, LoraTarget Target, string Module, LoraAdapter Adapter)> adapters, int layerCount, float alpha,
        string? baseModelName)
    {
        // r: the most common rank (ties: the smallest). A target whose modules share another rank gets one short pattern
        // ("q_proj"); otherwise each differing module gets its own ("layers.3.self_attn.q_proj", matched as PEFT does).
        int rank = adapters.GroupBy(a => a.Adapter.Rank).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First().Key;
        var pattern = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var byTarget in adapters.GroupBy(a => a.Target))
        {
            var targetRanks = byTarget.Select(a => a.Adapter.Rank).Distinct().ToList();
            if (targetRanks.Count == 1 && targetRanks[0] != rank)
            {
                pattern[byTarget.Key.ShortName()] = targetRanks[0];
                continue;
            }
            foreach (var a in byTarget.Where(a => targetRanks.Count > 1 && a.Adapter.Rank != rank).OrderBy(a => a.Layer))
            {
                pattern[a.Module["model.".Length..]] = a.Adapter.Rank;
            }
        }
        // target_modules: short names when every layer has the same targets, else the full module names.
        int targetSets = adapters.GroupBy(a => a.Layer).Select(g => string.Join(",", g.Select(a => a.Target).Order())).Distinct().Count();
        bool uniform = targetSets == 1 && adapters.Select(a => a.Layer).Distinct().Count() == layerCount;
        var targets = uniform
            ? adapters.Select(a => a.Target).Distinct().Order().Select(t => t.ShortName()).ToList()
            : adapters.Select(a => a.Module).ToList();
        return new PeftAdapterConfig
        {
            BaseModelNameOrPath = baseModelName,
            Rank = rank,
            Alpha = alpha,
            TargetModules = targets,
            RankPattern = pattern,
        };
    }

    /// <summary>Every lora_A/lora_B pair by (layer, target); any other key, or half a pair, is an error naming it.</summary>
    private static Dictionary<(int, LoraTarget), (SafeTensorEntry A, SafeTensorEntry B)> Modules(SafeTensorsFile file, int layerCount)
    {
        var halves = new Dictionary<(int, LoraTarget), (SafeTensorEntry? A, SafeTensorEntry? B)>();
        foreach (var entry in file.Entries)
        {
            var match = KeyPattern().Match(entry.Name);
            var target = match.Success ? TargetOf(match.Groups[2].Value) : null;
            if (target is null)
            {
                throw new InvalidDataException($"{file.Path}: unknown key '{entry.Name}' (expected {KeyPrefix}model.layers.{{i}}.<module>.lora_A.weight " +
                                               "or .lora_B.weight, <module> one of self_attn.q_proj/k_proj/v_proj/o_proj, mlp.gate_proj/up_proj/down_proj)");
            }
            if (!int.TryParse(match.Groups[1].ValueSpan, out int layer) || layer >= layerCount)
            {
                throw new InvalidDataException($"{file.Path}: key '{entry.Name}' names layer {match.Groups[1].Value}, the model has {layerCount} layers");
            }
            var pair = halves.GetValueOrDefault((layer, target.Value));
            halves[(layer, target.Value)] = match.Groups[3].Value == "A" ? (entry, pair.B) : (pair.A, entry);
        }
        var modules = new Dictionary<(int, LoraTarget), (SafeTensorEntry, SafeTensorEntry)>();
        foreach (var ((layer, target), (a, b)) in halves.OrderBy(h => h.Key.Item1).ThenBy(h => h.Key.Item2))
        {
            string module = ModuleName(layer, target);
            modules[(layer, target)] = (a ?? throw new InvalidDataException($"{file.Path}: missing key '{KeyOf(module, 'A')}' (its lora_B is present)"),
                                        b ?? throw new InvalidDataException($"{file.Path}: missing key '{KeyOf(module, 'B')}' (its lora_A is present)"));
        }
        return modules;
    }

    /// <summary>Checks A [r, in] and B [out, r] against the model's layer and the config's rank; returns r.</summary>
    private static int CheckModule(string weightsPath, string configPath, PeftAdapterConfig config, LlamaWeights model, int layer, LoraTarget target,
        SafeTensorEntry a, SafeTensorEntry b)
    {
        string module = ModuleName(layer, target);
        var (outDim, inDim) = target.Dims(model.LayerShapes[layer], model.Config.HiddenSize, model.Config.HeadDim);
        if (a.Shape.Length != 2 || a.Shape[1] != inDim)
        {
            throw new InvalidDataException($"{weightsPath}: '{a.Name}' has shape {Tensor.ShapeText(a.Shape)}, the model's {module} needs [r, {inDim}] " +
                                           "(adapter made for another model, or for other pruned shapes?)");
        }
        int rank = a.Shape[0];
        if (b.Shape.Length != 2 || b.Shape[0] != outDim || b.Shape[1] != rank)
        {
            throw new InvalidDataException($"{weightsPath}: '{b.Name}' has shape {Tensor.ShapeText(b.Shape)}, the model's {module} with rank {rank} needs " +
                                           $"[{outDim}, {rank}] (adapter made for another model, or for other pruned shapes?)");
        }
        if (rank < 1 || rank > Math.Min(outDim, inDim))
        {
            throw new InvalidDataException($"{weightsPath}: '{a.Name}' has rank {rank}, which must be 1 to {Math.Min(outDim, inDim)} for {module} [{outDim}, {inDim}]");
        }
        if (!config.Targets(module, layer))
        {
            throw new InvalidDataException($"{weightsPath}: '{a.Name}' adapts {module}, which target_modules in {configPath} does not select");
        }
        int expected = config.RankOf(module);
        if (rank != expected)
        {
            throw new InvalidDataException($"{weightsPath}: '{a.Name}' has rank {rank} but {configPath} gives {module} rank {expected} (r / rank_pattern)");
        }
        return rank;
    }

    private static LoraTarget? TargetOf(string modulePath)
    {
        foreach (var t in LoraTargets.All)
        {
            if (t.ModulePath() == modulePath)
            {
                return t;
            }
        }
        return null;
    }

    private static string ModuleName(int layer, LoraTarget target) => $"model.layers.{layer}.{target.ModulePath()}";

    [GeneratedRegex(@"^base_model\.model\.model\.layers\.(\d+)\.([a-z_]+\.[a-z_]+)\.lora_([AB])\.weight$")]
    private static partial Regex KeyPattern();
}
