// Device-supplied text reaching the log or /status: control, format and line-separator characters are replaced, and the
// length is capped, so a hostile hello cannot forge log lines or flood /status.
using FedSpine.Deploy.Server;

namespace FedSpine.Deploy.Tests;

public sealed class DeviceTextTests
{
    [Theory]
    [InlineData("agx", "agx")]
    [InlineData("tx2\nERROR forged line", "tx2?ERROR forged line")]
    [InlineData("a\u001b[31mred", "a?[31mred")]
    [InlineData("evil\u202Egnp.exe", "evil?gnp.exe")]
    [InlineData("line\u2028break", "line?break")]
    [InlineData("überß ✓", "überß ✓")]
    public void Control_and_format_characters_are_replaced(string given, string expected) => Assert.Equal(expected, DeviceText.Clean(given));

    [Fact]
    public void Long_text_is_cut_to_the_cap()
    {
        string cleaned = DeviceText.Clean(new string('x', 60_000))!;
        Assert.Equal(DeviceText.MaxLength + 1, cleaned.Length);
        Assert.EndsWith("x…", cleaned, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_stays_null() => Assert.Null(DeviceText.Clean(null));
}
