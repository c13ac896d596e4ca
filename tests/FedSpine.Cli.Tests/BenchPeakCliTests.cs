// `bench --peak` and `bench --gemm` name the instruction-set path they measured, and the documented switches pick it:
// the runtime's DOTNET_ switches (every library) and FEDSPINE_ISA (our kernels), each in a child process.
using System.Text.Json;
using FedSpine.Tensors;

namespace FedSpine.Cli.Tests;

public sealed class BenchPeakCliTests
{
    public static TheoryData<string, string, Isa> Switches => new()
    {
        { "", "", IsaPath.Hardware },
        { "DOTNET_EnableAVX512", "0", Min(Isa.Avx2) },
        { "DOTNET_PreferredVectorBitWidth", "128", Min(Isa.Vector128) },
        { "DOTNET_EnableHWIntrinsic", "0", Isa.Scalar },
        { "FEDSPINE_ISA", "vector128", Min(Isa.Vector128) },
        { "FEDSPINE_ISA", "scalar", Isa.Scalar },
    };

    [Theory]
    [MemberData(nameof(Switches))]
    public void PeakReportsThePathTheSwitchSelects(string variable, string value, Isa expected)
    {
        var env = variable.Length == 0 ? new Dictionary<string, string>() : new Dictionary<string, string> { [variable] = value };
        var r = CliRunner.RunWith(env, "bench", "--peak");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var json = JsonDocument.Parse(r.StdoutText).RootElement;
        Assert.Equal(IsaPath.Name(expected), json.GetProperty("isa").GetString());
        double peak = json.GetProperty("peak_gflops").GetDouble();
        Assert.True(double.IsFinite(peak) && peak > 0, $"peak {peak}");
    }

    [Fact]
    public void GemmLineCarriesItsFractionOfThePeak()
    {
        var r = CliRunner.Run("bench", "--gemm", "64");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var json = JsonDocument.Parse(r.StdoutText).RootElement;
        double gflops = json.GetProperty("gflops").GetDouble(), peak = json.GetProperty("peak_gflops").GetDouble();
        Assert.Equal(IsaPath.Name(IsaPath.Hardware), json.GetProperty("isa").GetString());
        Assert.True(gflops > 0 && peak > 0, $"gflops {gflops}, peak {peak}");
        Assert.Equal(gflops / peak, json.GetProperty("fraction_of_peak").GetDouble(), 12);
    }

    [Fact]
    public void AnUnknownPathIsOneWarningAndTheWidestPathRuns()
    {
        var r = CliRunner.RunWith(new Dictionary<string, string> { ["FEDSPINE_ISA"] = "sse9" }, "bench", "--peak");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal($"warning: FEDSPINE_ISA=sse9 is not a path (expected avx512, avx2, vector128 or scalar); using {IsaPath.Name(IsaPath.Hardware)}",
            r.Stderr.Trim());
        Assert.Equal(IsaPath.Name(IsaPath.Hardware), JsonDocument.Parse(r.StdoutText).RootElement.GetProperty("isa").GetString());
    }

    private static Isa Min(Isa isa) => isa < IsaPath.Hardware ? isa : IsaPath.Hardware;
}
