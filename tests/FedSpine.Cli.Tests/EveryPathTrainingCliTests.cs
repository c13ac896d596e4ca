// The whole model (GEMM, attention, norms, SwiGLU, RoPE, cross-entropy, AdamW, LoRA; TensorPrimitives included) on
// each instruction-set path the switches select: same seed, same loss within float rounding; the same path repeats its bits.
using System.Text.Json;
using FedSpine.Tensors;

namespace FedSpine.Cli.Tests;

public sealed class EveryPathTrainingCliTests
{
    private static readonly Dictionary<string, string>[] Paths =
    [
        new() { ["DOTNET_EnableAVX512"] = "0" },
        new() { ["DOTNET_PreferredVectorBitWidth"] = "128" },
        new() { ["FEDSPINE_ISA"] = "vector128" },
        new() { ["FEDSPINE_ISA"] = "scalar" },
    ];

    /// <summary>The path a child with this environment runs: the named one, or the machine's if that is narrower.</summary>
    private static Isa Expected(Dictionary<string, string> environment)
    {
        Isa named = environment.Keys.FirstOrDefault() switch
        {
            "DOTNET_EnableAVX512" => Isa.Avx2,
            "DOTNET_PreferredVectorBitWidth" => Isa.Vector128,
            "FEDSPINE_ISA" => Enum.Parse<Isa>(environment["FEDSPINE_ISA"], ignoreCase: true),
            _ => IsaPath.Hardware,
        };
        return named < IsaPath.Hardware ? named : IsaPath.Hardware;
    }

    [Theory]
    [InlineData("lora")]
    [InlineData("full")]
    public void TrainingLossAgreesOnEveryPath(string mode)
    {
        double widest = Loss([], mode);
        Assert.Equal(widest, Loss([], mode)); // bitwise: same seed, same path, same result
        foreach (var environment in Paths)
        {
            double loss = Loss(environment, mode);
            string what = string.Join(",", environment.Select(e => $"{e.Key}={e.Value}"));
            Assert.True(Math.Abs(loss - widest) <= 1e-4 * Math.Abs(widest), $"{mode} {what}: loss {loss}, widest path {widest}");
        }
    }

    private static double Loss(Dictionary<string, string> environment, string mode)
    {
        var r = CliRunner.RunWith(environment, "bench", "--preset", "stories260k", "--mode", mode, "--steps", "2", "--batch", "2", "--seq-len", "16");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(IsaPath.Name(Expected(environment)), JsonDocument.Parse(r.StdoutText).RootElement.GetProperty("isa").GetString());
        return JsonDocument.Parse(r.StdoutText).RootElement.GetProperty("loss").GetDouble();
    }
}
