// FmaPeak, the denominator of `bench --gemm`'s fraction: a finite positive rate on every path this machine runs, wider
// vectors measurably faster than one lane, and clear refusals of no rounds and of paths the hardware lacks.
namespace FedSpine.Tensors.Tests;

[Collection(PoolSettingsCollection.Name)] // measures every pool thread: nothing else may hold the pool meanwhile
public sealed class FmaPeakTests
{
    [Fact]
    public void EveryPathHasAFinitePositivePeakAndVectorsBeatOneLane()
    {
        var peaks = Enum.GetValues<Isa>().Where(IsaPath.IsSupported).ToDictionary(isa => isa, isa => FmaPeak.MeasureGflops(isa, rounds: 5));
        foreach (var (isa, gflops) in peaks)
        {
            Assert.True(double.IsFinite(gflops) && gflops > 0, $"{isa}: {gflops}");
        }
        if (IsaPath.Hardware >= Isa.Avx2)
        {
            // 8 or 16 lanes against 1: even a busy machine shows more than twice the rate.
            Assert.True(peaks[IsaPath.Hardware] > 2 * peaks[Isa.Scalar], $"{IsaPath.Hardware} {peaks[IsaPath.Hardware]} vs scalar {peaks[Isa.Scalar]}");
        }
    }

    [Fact]
    public void RefusesNoRoundsAndMissingHardware()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => FmaPeak.MeasureGflops(Isa.Scalar, rounds: 0));
        foreach (Isa missing in Enum.GetValues<Isa>().Where(i => !IsaPath.IsSupported(i)))
        {
            Assert.Throws<PlatformNotSupportedException>(() => FmaPeak.MeasureGflops(missing));
        }
    }
}
