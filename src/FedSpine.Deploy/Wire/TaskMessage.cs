// A round task on the wire: one safetensors buffer whose tensors are the device's LoRA slice ([rank, in] A, [out, rank] B
// per module) and the head, and whose metadata holds the task's other fields as JSON. Decoding checks what it reads.
using System.Text.Json.Serialization;
using FedSpine.Federated.Bandits;
using FedSpine.Federated.Rounds;
using FedSpine.Model.Formats;
using FedSpine.Model.Lora;
using FedSpine.Pruning;
using FedSpine.Tensors;

namespace FedSpine.Deploy.Wire;

public sealed record TaskFields(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("round")] int Round,
    [property: JsonPropertyName("device")] int Device,
    [property: JsonPropertyName("mask")] PruningMask Mask,
    [property: JsonPropertyName("prune_step")] double PruneStep,
    [property: JsonPropertyName("rank")] int Rank,
    [property: JsonPropertyName("sparsity")] double Sparsity,
    [property: JsonPropertyName("final_sparsity")] double FinalSparsity,
    [property: JsonPropertyName("local_steps")] int LocalSteps,
    [property: JsonPropertyName("learning_rate")] float LearningRate,
    [property: JsonPropertyName("alpha")] float Alpha,
    [property: JsonPropertyName("deadline_s")] double? DeadlineSeconds);

public static class TaskMessage
{
    public const string ContentType = "application/vnd.fedspine.task+safetensors";

    public static byte[] Encode(RoundTask task)
    {
        var tensors = TensorNames.Of(task.Factors, task.HeadWeight, task.HeadBias);
        var fields = new TaskFields(task.RunId, task.Round, task.DeviceId, task.Mask, task.Arm.PruneStep, task.Arm.Rank, task.Sparsity,
            task.FinalSparsity, task.LocalSteps, task.LearningRate, task.Alpha, task.DeadlineSeconds);
        return SafeTensorsBytes.ToBytes(tensors, new Dictionary<string, string> { [TensorNames.TaskKey] = WireJson.Serialize(fields) });
    }

    /// <summary>The task as the server built it (the device side); InvalidDataException when the message is inconsistent.</summary>
    public static RoundTask Decode(byte[] bytes, string source = "round task")
    {
        var message = SafeTensorsBytes.Parse(bytes, source);
        if (!message.Metadata.TryGetValue(TensorNames.TaskKey, out string? json))
        {
            throw new InvalidDataException($"{source}: no {TensorNames.TaskKey} metadata");
        }
        TaskFields fields;
        try
        {
            fields = WireJson.Deserialize<TaskFields>(json, source);
        }
        catch (WireError e)
        {
            throw new InvalidDataException(e.Message, e);
        }
        fields.Mask.Validate($"{source} mask");
        var factors = new List<ModuleFactors>();
        foreach (var a in message.Entries.Where(e => e.Name.StartsWith("lora.", StringComparison.Ordinal) && e.Name.EndsWith(".A", StringComparison.Ordinal)))
        {
            string[] parts = a.Name.Split('.');
            int layer = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            var target = LoraTargets.Parse(parts[2]);
            var b = message.Find(TensorNames.B(layer, target)) ?? throw new InvalidDataException($"{source}: {a.Name} has no B");
            if (a.Shape.Length != 2 || b.Shape.Length != 2 || a.Shape[0] != fields.Rank || b.Shape[1] != fields.Rank)
            {
                throw new InvalidDataException($"{source}: {a.Name} / B shapes do not match rank {fields.Rank}");
            }
            factors.Add(new ModuleFactors(layer, target, fields.Rank, message.Read(a), message.Read(b)));
        }
        // No head at all: an instruct task (LoRA through the frozen LM head); one without the other is a broken message.
        var headWeight = message.Find(TensorNames.HeadWeight);
        var headBias = message.Find(TensorNames.HeadBias);
        if ((headWeight is null) != (headBias is null))
        {
            throw new InvalidDataException($"{source}: has {(headWeight is null ? TensorNames.HeadBias : TensorNames.HeadWeight)} without {(headWeight is null ? TensorNames.HeadWeight : TensorNames.HeadBias)}");
        }
        return new RoundTask(fields.RunId, fields.Round, fields.Device, fields.Mask, new Arm(fields.PruneStep, fields.Rank), fields.Sparsity,
            fields.FinalSparsity, fields.LocalSteps, fields.LearningRate, fields.Alpha, factors,
            headWeight is null ? [] : message.Read(headWeight), headBias is null ? [] : message.Read(headBias), fields.DeadlineSeconds);
    }
}
