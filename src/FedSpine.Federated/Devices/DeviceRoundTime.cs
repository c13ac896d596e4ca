// How long one device's round took in simulation, split into download, local compute and upload (seconds).
// Plain data: the server reports these as the device's "measured" times; the bandit reads only these.
namespace FedSpine.Federated.Devices;

public sealed record DeviceRoundTime(double DownloadSeconds, double ComputeSeconds, double UploadSeconds)
{
    public double Total => DownloadSeconds + ComputeSeconds + UploadSeconds;
}
