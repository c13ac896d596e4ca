// A method's checkpoint as ONE safetensors file written atomically: the global LoRA and head, the server momentum's
// velocity, every device's importance statistics as tensors, and MethodState as JSON metadata; enough to continue exactly.
// devices null: a deployed server's checkpoint (devices keep their own importance), server state only.
using System.Text.Json;
using FedSpine.Federated.Rounds;
using FedSpine.Model.Formats;
using FedSpine.Model.Lora;
using FedSpine.Tensors;

namespace FedSpine.Federated.Runs;

public static class RunCheckpoint
{
    public const string FileName = "checkpoint.safetensors";
    private const string StateKey = "fedspine_state";

    /// <param name="wallSeconds">Real seconds the run has worked so far, over every session (resumes add to it).</param>
    public static void Save(string path, FederatedServer server, IReadOnlyList<DeviceRuntime>? devices, IReadOnlyList<RoundPoint> rounds, double wallSeconds = 0)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var ((layer, target), m) in server.Global.Modules)
        {
            tensors.Add(new($"lora.{layer}.{target.ShortName()}.A", new Tensor(m.A, 0, m.Rank, m.In)));
            tensors.Add(new($"lora.{layer}.{target.ShortName()}.B", new Tensor(m.B, 0, m.Out, m.Rank)));
        }
        if (server.Global.Classes > 0)   // the instruct task has no head
        {
            tensors.Add(new("head.weight", new Tensor(server.Global.HeadWeight, 0, server.Global.HeadWeight.Length)));
            tensors.Add(new("head.bias", new Tensor(server.Global.HeadBias, 0, server.Global.HeadBias.Length)));
        }
        foreach (var (name, velocity) in server.Momentum?.Velocity ?? [])
        {
            tensors.Add(new($"momentum.{name}", new Tensor(velocity, 0, velocity.Length)));
        }
        foreach (var d in devices ?? [])
        {
            for (int l = 0; l < d.Importance.Heads.Count; l++)
            {
                tensors.Add(new($"device.{d.Id}.importance.{l}.heads", new Tensor(d.Importance.Heads[l], 0, d.Importance.Heads[l].Length)));
                tensors.Add(new($"device.{d.Id}.importance.{l}.channels", new Tensor(d.Importance.Channels[l], 0, d.Importance.Channels[l].Length)));
            }
        }
        var slots = server.Slots.Select(s => new SlotState(s.Id, s.Mask, s.Sparsity, s.HasTrained, s.LastRank, RoundPoint.Finite(s.LastAccuracy),
            s.LocalTestCount, s.Bandit.SaveState(), devices?[s.Id].Importance.Updates ?? 0, s.TargetSparsity, s.TargetBandit?.SaveState())).ToList();
        var state = new MethodState(server.Method, server.Round, server.SimTime, server.BytesSent, slots, rounds, wallSeconds);
        SafeTensorsFile.Write(path, tensors, SafeTensorsDtype.F32, new Dictionary<string, string> { [StateKey] = JsonSerializer.Serialize(state) });
    }

    /// <summary>Restores server and devices (built fresh for the same config) from a checkpoint; returns its state.</summary>
    public static MethodState Load(string path, FederatedServer server, IReadOnlyList<DeviceRuntime>? devices)
    {
        using var file = SafeTensorsFile.Open(path);
        var state = (file.Metadata.TryGetValue(StateKey, out string? json) ? JsonSerializer.Deserialize<MethodState>(json) : null)
            ?? throw new InvalidDataException($"{path}: not a FedSpine run checkpoint (no {StateKey} metadata)");
        if (state.Method != server.Method || state.Slots.Count != server.Slots.Count)
        {
            throw new InvalidDataException($"{path}: checkpoint of method '{state.Method}' with {state.Slots.Count} devices, the run has '{server.Method}' with {server.Slots.Count}");
        }
        foreach (var ((layer, target), m) in server.Global.Modules)
        {
            Read(file, $"lora.{layer}.{target.ShortName()}.A", m.A);
            Read(file, $"lora.{layer}.{target.ShortName()}.B", m.B);
        }
        if (server.Global.Classes > 0)
        {
            Read(file, "head.weight", server.Global.HeadWeight);
            Read(file, "head.bias", server.Global.HeadBias);
        }
        foreach (var (name, velocity) in server.Momentum?.Velocity ?? [])
        {
            Read(file, $"momentum.{name}", velocity);
        }
        foreach (var s in state.Slots)
        {
            var slot = server.Slots[s.Id];
            s.Mask.Validate($"{path} device {s.Id}");
            slot.Mask = s.Mask;
            slot.Sparsity = s.Sparsity;
            slot.HasTrained = s.HasTrained;
            slot.LastRank = s.LastRank;
            slot.LastAccuracy = s.LastAccuracy ?? double.NaN;
            slot.LocalTestCount = s.LocalTestCount;
            slot.Bandit.LoadState(s.Bandit);
            slot.TargetSparsity = s.TargetSparsity ?? server.Settings.FinalSparsity;
            if (slot.TargetBandit is not null)
            {
                slot.TargetBandit.LoadState(s.TargetBandit ?? throw new InvalidDataException($"{path}: device {s.Id} has no target bandit state (the run is in per-device sparsity mode)"));
            }
            if (devices is null)
            {
                continue;
            }
            var d = devices[s.Id];
            var heads = d.Importance.Heads.Select((h, l) => ReadNew(file, $"device.{s.Id}.importance.{l}.heads", h.Length)).ToList();
            var channels = d.Importance.Channels.Select((c, l) => ReadNew(file, $"device.{s.Id}.importance.{l}.channels", c.Length)).ToList();
            d.Restore(s.Mask, heads, channels, s.ImportanceUpdates);
        }
        server.Round = state.Round;
        server.SimTime = state.SimTimeSeconds;
        server.BytesSent = state.BytesSent;
        return state;
    }

    private static void Read(SafeTensorsFile file, string name, float[] destination)
    {
        var entry = file.Find(name) ?? throw new InvalidDataException($"{file.Path}: checkpoint lacks tensor '{name}'");
        file.ReadInto(entry, destination);
    }

    private static float[] ReadNew(SafeTensorsFile file, string name, int length)
    {
        var values = new float[length];
        Read(file, name, values);
        return values;
    }
}
