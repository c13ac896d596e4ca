// A device agent's own state between rounds and restarts: after each round it trained, its kept-unit mask and importance
// statistics (the part of the simulator's checkpoint that lives on the device), for one run (run key). The last two
// snapshots are kept so a device can step back when a resumed server repeats the round in progress. Written atomically.
using System.Text.Json;
using System.Text.Json.Serialization;
using FedSpine.Pruning;

namespace FedSpine.Deploy.Agent;

public sealed record DeviceSnapshot(
    [property: JsonPropertyName("after_round")] int AfterRound,
    [property: JsonPropertyName("mask")] PruningMask Mask,
    [property: JsonPropertyName("heads")] IReadOnlyList<float[]> Heads,
    [property: JsonPropertyName("channels")] IReadOnlyList<float[]> Channels,
    [property: JsonPropertyName("updates")] int Updates);

public sealed record DeviceStateFile(
    [property: JsonPropertyName("run_key")] string RunKey,
    [property: JsonPropertyName("device")] int Device,
    [property: JsonPropertyName("snapshots")] IReadOnlyList<DeviceSnapshot> Snapshots)
{
    public const int Kept = 2;

    /// <summary>The saved state of this run and device, or null when the file is absent or belongs to another run.</summary>
    public static DeviceStateFile? Load(string path, string runKey, int device)
    {
        if (!File.Exists(path))
        {
            return null;
        }
        DeviceStateFile? state;
        try
        {
            state = JsonSerializer.Deserialize<DeviceStateFile>(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a device state file ({e.Message})", e);
        }
        return state is not null && state.RunKey == runKey && state.Device == device ? state : null;
    }

    /// <summary>The newest snapshot taken before the given round (the state the device had when that round began).</summary>
    public DeviceSnapshot? Before(int round) => Snapshots.Where(s => s.AfterRound < round).MaxBy(s => s.AfterRound);

    /// <summary>This state plus a snapshot (replacing any of the same or a later round), keeping the newest Kept.</summary>
    public DeviceStateFile With(DeviceSnapshot snapshot) => this with
    {
        Snapshots = Snapshots.Where(s => s.AfterRound < snapshot.AfterRound).Append(snapshot).OrderBy(s => s.AfterRound).TakeLast(Kept).ToList(),
    };

    public void Save(string path)
    {
        string temporary = path + ".partial";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this));
        File.Move(temporary, path, overwrite: true);
    }
}
