// bf16 conversions: rounding to nearest even on known values, NaN and infinities kept, and the vector Widen equal to
// the scalar reference on every length up to 70 (so each vector path and its scalar tail run).
namespace FedSpine.Tensors.Tests;

public class Bf16Tests
{
    [Theory]
    [InlineData(0x3F800000u, (ushort)0x3F80)]     // 1.0
    [InlineData(0xC0200000u, (ushort)0xC020)]     // -2.5
    [InlineData(0x3F808000u, (ushort)0x3F80)]     // exactly halfway between 0x3F80 and 0x3F81: ties to even (down)
    [InlineData(0x3F818000u, (ushort)0x3F82)]     // halfway between 0x3F81 and 0x3F82: ties to even (up)
    [InlineData(0x3F808001u, (ushort)0x3F81)]     // just above halfway: up
    [InlineData(0x3F807FFFu, (ushort)0x3F80)]     // just below halfway: down
    [InlineData(0x7F800000u, (ushort)0x7F80)]     // +infinity
    [InlineData(0x7F7FFFFFu, (ushort)0x7F80)]     // float.MaxValue rounds up to infinity, as torch.bfloat16 does
    [InlineData(0x80000000u, (ushort)0x8000)]     // -0
    public void FromFloat_rounds_to_nearest_even(uint valueBits, ushort expected)
    {
        Assert.Equal(expected, Bf16.FromFloat(BitConverter.UInt32BitsToSingle(valueBits)));
    }

    [Fact]
    public void NaN_stays_NaN_and_widening_is_exact()
    {
        Assert.True(float.IsNaN(Bf16.ToFloat(Bf16.FromFloat(float.NaN))));
        Assert.True(float.IsNaN(Bf16.ToFloat(Bf16.FromFloat(BitConverter.UInt32BitsToSingle(0x7F800001))))); // low-bit NaN
        for (int bits = 0; bits < 65536; bits += 7)
        {
            float f = Bf16.ToFloat((ushort)bits);
            Assert.True(float.IsNaN(f) || Bf16.FromFloat(f) == bits, $"{bits:X4}");
        }
    }

    [Fact]
    public void Widen_equals_the_scalar_reference_at_every_length()
    {
        var rng = new Rng(3);
        for (int n = 0; n <= 70; n++)
        {
            var source = new ushort[n];
            for (int i = 0; i < n; i++)
            {
                source[i] = (ushort)rng.NextInt(65536);
            }
            var expected = new float[n];
            var actual = new float[n];
            Bf16.WidenReference(source, expected);
            Bf16.Widen(source, actual);
            Assert.Equal(expected.Select(BitConverter.SingleToUInt32Bits), actual.Select(BitConverter.SingleToUInt32Bits));
        }
        Assert.Throws<ArgumentException>(() => Bf16.Widen(new ushort[3], new float[4]));
    }
}
