// Simulated round time of a device from its profile: FLOPs / speed + bytes / bandwidth, every part scaled by this round's
// fluctuation factor. Draws (fluctuation, dropout) use the caller's Rng and always consume exactly one number each.
using FedSpine.Tensors;

namespace FedSpine.Federated.Devices;

public static class DeviceTiming
{
    /// <summary>Smallest fluctuation factor a draw can give (a device never becomes more than 5× faster than its profile).</summary>
    public const double MinFluctuation = 0.2;

    /// <summary>Download, compute and upload seconds, each multiplied by fluctuation (a slow round is slow throughout).</summary>
    public static DeviceRoundTime Time(DeviceProfile profile, double computeFlops, long bytesDown, long bytesUp, double fluctuation)
    {
        if (!(computeFlops >= 0) || double.IsInfinity(computeFlops) || bytesDown < 0 || bytesUp < 0)
        {
            throw new ArgumentException($"device '{profile.Name}': work must be non-negative and finite (FLOPs {computeFlops}, down {bytesDown} B, up {bytesUp} B)");
        }
        if (!(fluctuation > 0) || double.IsInfinity(fluctuation))
        {
            throw new ArgumentException($"device '{profile.Name}': fluctuation factor must be positive and finite (got {fluctuation})");
        }
        return new DeviceRoundTime(
            bytesDown / profile.DownlinkBytesPerSecond * fluctuation,
            computeFlops / profile.FlopsPerSecond * fluctuation,
            bytesUp / profile.UplinkBytesPerSecond * fluctuation);
    }

    /// <summary>1 + Jitter·(2u − 1) for u uniform in [0, 1), at least MinFluctuation.</summary>
    public static double DrawFluctuation(DeviceProfile profile, Rng rng) =>
        Math.Max(MinFluctuation, 1 + profile.Jitter * (2 * rng.NextDouble() - 1));

    /// <summary>True (the device fails this round) with probability DropoutChance.</summary>
    public static bool DrawDropout(DeviceProfile profile, Rng rng) => rng.NextDouble() < profile.DropoutChance;
}
