// Device presets (Jetson-like speed ratio, valid numbers, clear lookup errors) and device-mix parsing ("6 tx2, 10 nx, 4 agx")
// with its error messages quoting the bad entry.
using FedSpine.Federated.Devices;

namespace FedSpine.Federated.Tests.Devices;

public class DeviceProfilesTests
{
    [Fact]
    public void PresetSpeedsFollowTheJetsonRatio()
    {
        double tx2 = DeviceProfiles.Get("tx2").FlopsPerSecond;
        Assert.InRange(DeviceProfiles.Get("nx").FlopsPerSecond / tx2, 1.6, 1.8);
        Assert.InRange(DeviceProfiles.Get("agx").FlopsPerSecond / tx2, 3.8, 4.2);
        Assert.True(DeviceProfiles.Phone.FlopsPerSecond < tx2);
        Assert.Equal(1L << 30, DeviceProfiles.Phone.MemoryBytes);
        Assert.Equal(4L << 30, DeviceProfiles.Tx2.MemoryBytes);
        Assert.Equal(24L << 30, DeviceProfiles.Agx.MemoryBytes);
        Assert.All(DeviceProfiles.All, p =>
        {
            p.Validate();
            Assert.Equal(2 * p.UplinkBytesPerSecond, p.DownlinkBytesPerSecond);
        });
        Assert.Equal(0.0, DeviceProfiles.Agx.DropoutChance);
    }

    [Fact]
    public void LookupIgnoresCaseAndUnknownNamesListTheValidOnes()
    {
        Assert.Same(DeviceProfiles.Nx, DeviceProfiles.Get(" NX "));
        var e = Assert.Throws<ArgumentException>(() => DeviceProfiles.Get("tx3"));
        Assert.Contains("'tx3'", e.Message);
        Assert.Contains("phone, tx2, nx, agx", e.Message);
    }

    [Fact]
    public void ValidateNamesTheBadField()
    {
        var bad = DeviceProfiles.Tx2 with { FlopsPerSecond = -1 };
        Assert.Contains("FLOP/s", Assert.Throws<ArgumentException>(bad.Validate).Message);
        Assert.Contains("jitter", Assert.Throws<ArgumentException>((DeviceProfiles.Tx2 with { Jitter = 1 }).Validate).Message);
        Assert.Contains("dropout", Assert.Throws<ArgumentException>((DeviceProfiles.Tx2 with { DropoutChance = 1.5 }).Validate).Message);
        Assert.Contains("uplink", Assert.Throws<ArgumentException>((DeviceProfiles.Tx2 with { UplinkBytesPerSecond = 0 }).Validate).Message);
        Assert.Contains("memory", Assert.Throws<ArgumentException>((DeviceProfiles.Tx2 with { MemoryBytes = 0 }).Validate).Message);
    }

    [Fact]
    public void MixGivesProfilesInEntryOrder()
    {
        var mix = DeviceMix.Parse("6 tx2,10 nx,4 agx");
        Assert.Equal(20, mix.Count);
        Assert.All(mix.Take(6), p => Assert.Same(DeviceProfiles.Tx2, p));
        Assert.All(mix.Skip(6).Take(10), p => Assert.Same(DeviceProfiles.Nx, p));
        Assert.All(mix.Skip(16), p => Assert.Same(DeviceProfiles.Agx, p));
        Assert.Equal(["agx", "agx", "phone"], DeviceMix.Parse("  2   AGX ,\t1 phone ").Select(p => p.Name));
    }

    [Theory]
    [InlineData("6tx2", "'6tx2'")]
    [InlineData("6 tx2, ten nx", "'ten nx'")]
    [InlineData("0 nx", "'0 nx'")]
    [InlineData("-2 nx", "'-2 nx'")]
    [InlineData("3 tx3", "'3 tx3'")]
    [InlineData("2 tx2,, 1 nx", "''")]
    [InlineData("2 tx2 extra", "'2 tx2 extra'")]
    [InlineData("tx2:6", "'tx2:6'")]
    [InlineData("  ", "empty device mix")]
    public void MalformedMixQuotesTheEntry(string spec, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => DeviceMix.Parse(spec));
        Assert.Contains(expected, e.Message);
    }
}
