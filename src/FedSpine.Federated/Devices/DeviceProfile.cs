// What a simulated device can do: training compute speed (FLOP/s), memory usable for fine-tuning, link bandwidths, and
// how much it fluctuates per round. Only the simulator reads a profile; the bandit sees observed times, never these numbers.
namespace FedSpine.Federated.Devices;

/// <param name="Name">Preset or user name, used in logs and errors.</param>
/// <param name="FlopsPerSecond">Effective training throughput (what LoRA steps achieve, not peak).</param>
/// <param name="MemoryBytes">Memory usable for fine-tuning: base weights, adapters, optimizer state and activations.</param>
/// <param name="UplinkBytesPerSecond">Device → server bandwidth.</param>
/// <param name="DownlinkBytesPerSecond">Server → device bandwidth.</param>
/// <param name="Jitter">Per-round multiplicative fluctuation: a round's times are scaled by a factor in 1 ± Jitter.</param>
/// <param name="DropoutChance">Probability that the device fails a round (never uploads).</param>
public sealed record DeviceProfile(string Name, double FlopsPerSecond, long MemoryBytes, double UplinkBytesPerSecond,
    double DownlinkBytesPerSecond, double Jitter, double DropoutChance)
{
    /// <summary>Throws ArgumentException naming the profile and the bad field when the numbers cannot describe a device.</summary>
    public void Validate()
    {
        void Require(bool ok, string what)
        {
            if (!ok)
            {
                throw new ArgumentException($"device profile '{Name}': {what}");
            }
        }
        Require(!string.IsNullOrWhiteSpace(Name), "name must not be empty");
        Require(double.IsFinite(FlopsPerSecond) && FlopsPerSecond > 0, $"FLOP/s must be positive and finite (got {FlopsPerSecond})");
        Require(MemoryBytes > 0, $"memory must be positive (got {MemoryBytes} bytes)");
        Require(double.IsFinite(UplinkBytesPerSecond) && UplinkBytesPerSecond > 0, $"uplink must be positive and finite (got {UplinkBytesPerSecond} B/s)");
        Require(double.IsFinite(DownlinkBytesPerSecond) && DownlinkBytesPerSecond > 0, $"downlink must be positive and finite (got {DownlinkBytesPerSecond} B/s)");
        Require(Jitter is >= 0 and < 1, $"jitter must lie in [0, 1) (got {Jitter})");
        Require(DropoutChance is >= 0 and <= 1, $"dropout chance must lie in [0, 1] (got {DropoutChance})");
    }
}
