// Built-in device presets resembling Jetson TX2, Xavier NX and AGX Xavier (effective training speed about 1 : 1.7 : 4),
// plus a slow, 1 GiB "phone" for memory-constrained runs. Lookup by name throws listing the valid names.
namespace FedSpine.Federated.Devices;

public static class DeviceProfiles
{
    private const long GiB = 1L << 30;
    private const double MB = 1e6;

    /// <summary>Jetson TX2: about 40 GFLOP/s effective in fp32 training, 4 GiB for fine-tuning, 2.5 MB/s up.</summary>
    public static readonly DeviceProfile Tx2 = new("tx2", 40e9, 4 * GiB, 2.5 * MB, 5 * MB, Jitter: 0.2, DropoutChance: 0.02);

    /// <summary>Xavier NX: about 68 GFLOP/s effective, 6 GiB, 5 MB/s up.</summary>
    public static readonly DeviceProfile Nx = new("nx", 68e9, 6 * GiB, 5 * MB, 10 * MB, Jitter: 0.15, DropoutChance: 0.01);

    /// <summary>AGX Xavier: about 160 GFLOP/s effective, 24 GiB, 12.5 MB/s up.</summary>
    public static readonly DeviceProfile Agx = new("agx", 160e9, 24 * GiB, 12.5 * MB, 25 * MB, Jitter: 0.1, DropoutChance: 0.0);

    /// <summary>A phone-class device: slower than a TX2, 1 GiB for fine-tuning, 1 MB/s up.</summary>
    public static readonly DeviceProfile Phone = new("phone", 15e9, 1 * GiB, 1 * MB, 2 * MB, Jitter: 0.3, DropoutChance: 0.05);

    /// <summary>Every preset, slowest to fastest.</summary>
    public static IReadOnlyList<DeviceProfile> All { get; } = [Phone, Tx2, Nx, Agx];

    public static IReadOnlyList<string> Names { get; } = All.Select(p => p.Name).ToArray();

    /// <summary>The preset with this name (case-insensitive, surrounding spaces ignored).</summary>
    public static DeviceProfile Get(string name)
    {
        string key = name.Trim();
        return All.FirstOrDefault(p => string.Equals(p.Name, key, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"unknown device preset '{name}' (expected one of {string.Join(", ", Names)})");
    }
}
