// GemmBenchmark.MeasureGflops, the entry point the CLI's benchmark calls: it returns a finite positive rate for
// transposed and plain layouts, and rejects empty problems and zero repetitions.
namespace FedSpine.Tensors.Tests;

public sealed class GemmBenchmarkTests
{
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void ReportsAFinitePositiveRate(bool transA, bool transB)
    {
        double gflops = GemmBenchmark.MeasureGflops(40, 24, 16, transA, transB, 2);
        Assert.True(double.IsFinite(gflops) && gflops > 0, $"rate {gflops}");
    }

    [Fact]
    public void RejectsEmptyProblemsAndNoRepetitions()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmBenchmark.MeasureGflops(0, 4, 4, false, false, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmBenchmark.MeasureGflops(4, 4, 4, false, false, 0));
    }
}
