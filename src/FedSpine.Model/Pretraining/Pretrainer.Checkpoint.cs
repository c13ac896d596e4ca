// Checkpoints of a pretraining run: one safetensors file holding the weights and both AdamW moment sets, with the
// scalar state (step, RNG, validation, configs, checksums) as JSON in its header; written beside the target, then renamed.
using System.Text.Json;
using FedSpine.Model.Formats;
using FedSpine.Model.Tasks;
using FedSpine.Model.Training;
using FedSpine.Tensors;

namespace FedSpine.Model.Pretraining;

public sealed partial class Pretrainer
{
    private const string StateKey = "fedspine_pretrain_state";

    /// <summary>Writes everything needed to continue exactly; the file appears only when complete.</summary>
    public void SaveCheckpoint(string path)
    {
        var tensors = CheckpointTensors();
        ulong checksum = Checksum64.Start;
        foreach (var (_, tensor) in tensors)
        {
            checksum = Checksum64.Add(checksum, tensor.Span);
        }
        var state = new PretrainState
        {
            Step = Step,
            RngState = _rng.State,
            BestValidationLoss = BestValidationLoss,
            LastValidationLoss = LastValidationLoss,
            TokensSeen = TokensSeen,
            TrainSeconds = TrainSeconds,
            TrainTokens = _train.Count,
            TrainChecksum = Checksum64.Add(Checksum64.Start, _train.Tokens),
            TensorChecksum = checksum,
            Config = Config,
            ModelConfig = Model.Config,
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", [StateKey] = JsonSerializer.Serialize(state) };
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        SafeTensorsFile.Write(path, tensors, SafeTensorsDtype.F32, metadata);
    }

    /// <summary>Continues the run saved at <paramref name="path"/>. The config and training tokens must be those the
    /// checkpoint was made with; a corrupt, foreign or mismatched checkpoint is an InvalidDataException saying why.</summary>
    public static Pretrainer Resume(string path, PretrainConfig config, LanguageModelDataset train, LanguageModelDataset validation)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no pretraining checkpoint at '{path}'", path);
        }
        using var file = SafeTensorsFile.Open(path);
        var state = ReadState(path, file);
        var differences = state.Config.Differences(config);
        if (differences.Count > 0)
        {
            throw new InvalidDataException($"{path}: the checkpoint was made with other settings ({string.Join("; ", differences)}); " +
                                           "resume with the settings of the original run");
        }
        if (state.TrainTokens != train.Count || state.TrainChecksum != Checksum64.Add(Checksum64.Start, train.Tokens))
        {
            throw new InvalidDataException($"{path}: the training tokens differ from the checkpoint's ({train.Count} tokens now, " +
                                           $"{state.TrainTokens} then); resume with the same data and tokenizer");
        }
        var trainer = new Pretrainer(config, LlamaWeights.Allocate(state.ModelConfig), train, validation);
        ulong checksum = Checksum64.Start;
        foreach (var (name, tensor) in trainer.CheckpointTensors())
        {
            var entry = file.Find(name) ?? throw new InvalidDataException($"{path}: checkpoint lacks tensor '{name}'");
            if (!tensor.SameShape(entry.Shape) || entry.Dtype != SafeTensorsDtype.F32)
            {
                throw new InvalidDataException($"{path}: tensor '{name}' is {entry.Dtype} {Tensor.ShapeText(entry.Shape)}, expected F32 {tensor}");
            }
            file.ReadInto(entry, tensor.Span);
            checksum = Checksum64.Add(checksum, tensor.Span);
        }
        if (checksum != state.TensorChecksum)
        {
            throw new InvalidDataException($"{path}: tensor data does not match the checksum in its header (the file is corrupt)");
        }
        trainer.Step = state.Step;
        trainer.TokensSeen = state.TokensSeen;
        trainer.TrainSeconds = state.TrainSeconds;
        trainer.BestValidationLoss = state.BestValidationLoss;
        trainer.LastValidationLoss = state.LastValidationLoss;
        trainer._rng.State = state.RngState;
        trainer._decayedOptimizer.SetStepCount(state.Step);
        trainer._undecayedOptimizer.SetStepCount(state.Step);
        return trainer;
    }

    private static PretrainState ReadState(string path, SafeTensorsFile file)
    {
        if (!file.Metadata.TryGetValue(StateKey, out string? json))
        {
            throw new InvalidDataException($"{path}: not a FedSpine pretraining checkpoint (no '{StateKey}' in its header)");
        }
        PretrainState? state;
        try
        {
            state = JsonSerializer.Deserialize<PretrainState>(json);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: unreadable checkpoint state: {e.Message}");
        }
        if (state is null || state.Format != PretrainState.CurrentFormat)
        {
            throw new InvalidDataException($"{path}: checkpoint format '{state?.Format}' is not {PretrainState.CurrentFormat}");
        }
        if (state.RngState.Length != 4 || state.Step < 0 || state.Step > state.Config.Steps)
        {
            throw new InvalidDataException($"{path}: inconsistent checkpoint state (step {state.Step} of {state.Config.Steps}, {state.RngState.Length} RNG words)");
        }
        state.ModelConfig.Validate(path);
        return state;
    }

    /// <summary>Weights, then first and second AdamW moments, each under its parameter's name.</summary>
    private List<KeyValuePair<string, Tensor>> CheckpointTensors()
    {
        var list = Model.NamedTensors.Select(p => new KeyValuePair<string, Tensor>("model/" + p.Key, p.Value)).ToList();
        foreach (var (set, optimizer) in new[] { (_decayed, _decayedOptimizer), (_undecayed, _undecayedOptimizer) })
        {
            var moments = optimizer.Moments;
            for (int i = 0; i < set.Items.Count; i++)
            {
                list.Add(new("adam.m/" + set.Items[i].Name, moments[i].M));
                list.Add(new("adam.v/" + set.Items[i].Name, moments[i].V));
            }
        }
        return list;
    }
}
