// Simulated round times: seconds = work / rate scaled by the fluctuation factor; fluctuation and dropout draws stay in
// range, match their rates, and are repeatable for a seed.
using FedSpine.Federated.Devices;
using FedSpine.Tensors;

namespace FedSpine.Federated.Tests.Devices;

public class DeviceTimingTests
{
    [Fact]
    public void TimeIsWorkOverRateTimesFluctuation()
    {
        var p = new DeviceProfile("test", FlopsPerSecond: 1e9, MemoryBytes: 1 << 20, UplinkBytesPerSecond: 1e6, DownlinkBytesPerSecond: 4e6, Jitter: 0, DropoutChance: 0);
        var t = DeviceTiming.Time(p, computeFlops: 3e9, bytesDown: 2_000_000, bytesUp: 500_000, fluctuation: 1);
        Assert.Equal(new DeviceRoundTime(0.5, 3.0, 0.5), t);
        Assert.Equal(4.0, t.Total, 12);
        var slow = DeviceTiming.Time(p, 3e9, 2_000_000, 500_000, fluctuation: 1.5);
        Assert.Equal(6.0, slow.Total, 12);
        Assert.Throws<ArgumentException>(() => DeviceTiming.Time(p, 1, 0, 0, fluctuation: 0));
        Assert.Throws<ArgumentException>(() => DeviceTiming.Time(p, -1, 0, 0, fluctuation: 1));
    }

    [Fact]
    public void SameWorkTakesLongerOnSlowerPresets()
    {
        double Seconds(DeviceProfile p) => DeviceTiming.Time(p, 1e12, 10_000_000, 10_000_000, 1).Total;
        Assert.True(Seconds(DeviceProfiles.Phone) > Seconds(DeviceProfiles.Tx2));
        Assert.True(Seconds(DeviceProfiles.Tx2) > Seconds(DeviceProfiles.Nx));
        Assert.True(Seconds(DeviceProfiles.Nx) > Seconds(DeviceProfiles.Agx));
    }

    [Fact]
    public void FluctuationStaysWithinJitterAndIsRepeatable()
    {
        var rng = new Rng(5);
        var draws = Enumerable.Range(0, 4000).Select(_ => DeviceTiming.DrawFluctuation(DeviceProfiles.Tx2, rng)).ToArray();
        Assert.All(draws, f => Assert.InRange(f, 0.8, 1.2));
        Assert.InRange(draws.Average(), 0.99, 1.01);
        Assert.True(draws.Min() < 0.82 && draws.Max() > 1.18);
        var again = new Rng(5);
        Assert.Equal(draws[..10], Enumerable.Range(0, 10).Select(_ => DeviceTiming.DrawFluctuation(DeviceProfiles.Tx2, again)));
        // a huge jitter is clipped at the floor
        var wild = DeviceProfiles.Tx2 with { Jitter = 0.99 };
        Assert.All(Enumerable.Range(0, 1000).Select(_ => DeviceTiming.DrawFluctuation(wild, rng)), f => Assert.True(f >= DeviceTiming.MinFluctuation));
    }

    [Fact]
    public void DropoutMatchesItsChance()
    {
        var rng = new Rng(11);
        var flaky = DeviceProfiles.Tx2 with { DropoutChance = 0.25 };
        int dropped = Enumerable.Range(0, 8000).Count(_ => DeviceTiming.DrawDropout(flaky, rng));
        Assert.InRange(dropped / 8000.0, 0.23, 0.27);
        Assert.DoesNotContain(true, Enumerable.Range(0, 1000).Select(_ => DeviceTiming.DrawDropout(DeviceProfiles.Agx, rng)));
    }
}
