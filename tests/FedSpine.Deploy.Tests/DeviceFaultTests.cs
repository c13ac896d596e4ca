// A device that takes its round's task and dies (never answers) is dropped from that round when the wall-clock round
// timeout passes; the others' round completes, and the device rejoins the next round with a fresh agent.
using System.Text.Json;
using FedSpine.Deploy.Wire;

namespace FedSpine.Deploy.Tests;

public sealed class DeviceFaultTests
{
    [Fact]
    public async Task A_device_dying_mid_round_is_dropped_and_rejoins_the_next_round()
    {
        await using var d = await TinyDeployment.StartAsync(devices: 3, rounds: 3, roundTimeout: TimeSpan.FromSeconds(2));
        var dying = d.Device(2);
        await dying.Hello();
        var others = new[] { d.Device(0), d.Device(1) }.Select(e => Task.Run(e.RunUntilFinished)).ToArray();
        var (bytes, state) = await dying.Poll();
        Assert.Equal("task", state);
        Assert.Equal(1, TaskMessage.Decode(bytes!).Round);   // it holds round 1's task ... and dies here
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (d.Run.Server.Round < 1)
        {
            Assert.True(DateTime.UtcNow < until, "round 1 never completed without the dead device");
            await Task.Delay(20);
        }
        int rejoined = await d.Device(2).RunUntilFinished();
        var result = await d.Server.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, result.Rounds);
        int[] counts = await Task.WhenAll(others);
        Assert.Equal(new[] { 3, 3 }, counts);
        Assert.Equal(2, rejoined);
        var records = File.ReadAllLines(Path.Combine(d.Run.MethodFolder, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(r => (r.GetProperty("round").GetInt32(), r.GetProperty("device").GetInt32()), r => r.GetProperty("status").GetString());
        Assert.Equal("no-answer", records[(1, 2)]);
        Assert.Equal("ok", records[(1, 0)]);
        Assert.Equal("ok", records[(1, 1)]);
        Assert.Equal("ok", records[(2, 2)]);
        Assert.Equal("ok", records[(3, 2)]);
    }
}
