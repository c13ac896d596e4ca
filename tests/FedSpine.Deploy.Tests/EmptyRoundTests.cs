// A round in which no upload is used (every device declined) reports no accuracy of its own: null in the curve and
// "n/a" in the log, never the value an earlier round left behind.
using System.Net;
using FedSpine.Deploy.Wire;

namespace FedSpine.Deploy.Tests;

public sealed class EmptyRoundTests
{
    [Fact]
    public async Task A_round_without_uploads_reports_no_accuracy()
    {
        var log = new LogCapture();
        await using var d = await TinyDeployment.StartAsync(devices: 2, rounds: 2, roundTimeout: TimeSpan.FromSeconds(60), log: log);
        var me = d.Device(0);
        var other = d.Device(1);
        await me.Hello();
        await other.Hello();

        // Round 1: device 0 uploads (its echo reports local accuracy 0.5), device 1 declines.
        var task = TaskMessage.Decode((await me.Poll()).Task!);
        using (var up = await me.Upload(task.Round, ReportMessage.Encode(EchoDevice.Echo(task))))
        {
            Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        }
        await Decline(other, 1);
        // Round 2: both decline.
        await Decline(me, 2);
        await Decline(other, 2);
        await d.Server.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0.5, d.Run.Rounds[0].LocalAccuracy);
        Assert.Equal(0, d.Run.Rounds[1].Accepted);
        Assert.Null(d.Run.Rounds[1].LocalAccuracy);
        Assert.Contains(log.Lines, l => l.Contains("round 1/2: 1/2 uploads used", StringComparison.Ordinal) && l.Contains("mean local accuracy 0.500", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.Contains("round 2/2: 0/2 uploads used", StringComparison.Ordinal) && l.Contains("mean local accuracy n/a (no upload used)", StringComparison.Ordinal));
    }

    private static async Task Decline(EchoDevice device, int round)
    {
        // A device declines a task it holds: poll until the round's task arrives (a repeated poll returns it again).
        for (int i = 0; i < 50; i++)
        {
            var (bytes, _) = await device.Poll(1);
            if (bytes is not null && TaskMessage.Decode(bytes).Round == round)
            {
                break;
            }
        }
        using var response = await device.Send(HttpMethod.Post, Routes.Decline(device.Id, round), EchoDevice.Json(new DeclineRequest("test")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
