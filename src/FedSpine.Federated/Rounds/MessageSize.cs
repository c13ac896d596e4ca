// Bytes a message costs on the wire: float32 tensors, int32 mask indices, and a fixed allowance for the JSON envelope.
// The simulated clock charges these against a device's bandwidth; the logs report them as bytes sent.
namespace FedSpine.Federated.Rounds;

public static class MessageSize
{
    public const long EnvelopeBytes = 512;

    public static long Of(RoundTask task) =>
        EnvelopeBytes + 4L * (task.Factors.Sum(f => (long)f.A.Length + f.B.Length) + task.HeadWeight.Length + task.HeadBias.Length
                              + task.Mask.Layers.Sum(l => (long)l.Heads.Count + l.Channels.Count));

    public static long Of(DeviceReport report) =>
        EnvelopeBytes + 4L * (report.Factors.Sum(f => (long)f.A.Length + f.B.Length) + report.HeadWeight.Length + report.HeadBias.Length
                              + report.Mask.Layers.Sum(l => (long)l.Heads.Count + l.Channels.Count));
}
