// The server's record of one device: its bandit, what it has reported (kept units, sparsity reached, latest local
// accuracy) and what it declared at registration (memory for fine-tuning, a class name for logs and HetLoRA's ranks).
using FedSpine.Federated.Bandits;
using FedSpine.Pruning;

namespace FedSpine.Federated.Rounds;

public sealed class DeviceSlot
{
    public DeviceSlot(int id, string deviceClass, long memoryBytes, IBandit bandit, PruningMask mask)
    {
        Id = id;
        DeviceClass = deviceClass;
        MemoryBytes = memoryBytes;
        Bandit = bandit;
        Mask = mask;
    }

    public int Id { get; }
    public string DeviceClass { get; }
    public long MemoryBytes { get; }
    public IBandit Bandit { get; }

    /// <summary>Kept units as last accepted.</summary>
    public PruningMask Mask { get; set; }

    /// <summary>Pruning ratio the device has reached (last accepted).</summary>
    public double Sparsity { get; set; }

    /// <summary>Whether the device has importance statistics (has trained once), so it prunes before its first step.</summary>
    public bool HasTrained { get; set; }

    /// <summary>The device's own final sparsity: S* in shared mode, assigned each round in per-device mode.</summary>
    public double TargetSparsity { get; set; }

    /// <summary>Chooses the device's preferred final sparsity (per-device mode only).</summary>
    public TargetSparsityBandit? TargetBandit { get; set; }

    public int LastRank { get; set; }
    public double LastAccuracy { get; set; } = double.NaN;
    public int LocalTestCount { get; set; }
}
