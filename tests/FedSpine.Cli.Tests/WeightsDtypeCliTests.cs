// `--weights-dtype bf16` as processes: bench on stories260K holds half the weight bytes and says so in its JSON, the
// smollm2-135m preset exists with the peer's parameter count, generate runs on a bf16 base, and bad uses are one-line errors.
using System.Text.Json;

namespace FedSpine.Cli.Tests;

public class WeightsDtypeCliTests
{
    [Fact]
    public void Bench_lora_on_a_bf16_base_reports_half_the_weight_bytes()
    {
        JsonElement Bench(string dtype)
        {
            var r = CliRunner.Run("bench", "--preset", "stories260k", "--mode", "lora", "--steps", "1", "--batch", "2", "--seq-len", "16", "--weights-dtype", dtype);
            Assert.True(r.ExitCode == 0, r.Stderr);
            return JsonDocument.Parse(r.StdoutText).RootElement;
        }
        var f32 = Bench("f32");
        var bf16 = Bench("bf16");
        Assert.Equal(("f32", "bf16"), (f32.GetProperty("weights_dtype").GetString(), bf16.GetProperty("weights_dtype").GetString()));
        Assert.Equal(4L * 260_032, f32.GetProperty("weight_bytes").GetInt64());
        // stories260K: 257,792 parameters in linears and the (tied) embedding, 704 in norms
        Assert.Equal(2L * (260_032 - 704) + 4L * 704, bf16.GetProperty("weight_bytes").GetInt64());
        Assert.Equal(f32.GetProperty("params").GetInt64(), bf16.GetProperty("params").GetInt64());
        Assert.True(float.IsFinite(bf16.GetProperty("loss").GetSingle()));
        // random weights, the same draws: the loss of the bf16-rounded model is close to the fp32 one
        Assert.Equal(f32.GetProperty("loss").GetSingle(), bf16.GetProperty("loss").GetSingle(), 0.05f);
    }

    [SharedDataFact]
    public void Generate_runs_on_a_bf16_base()
    {
        var r = CliRunner.Run("generate", "--model", SharedData.Stories260K, "--tokenizer", SharedData.Tok512, "--prompt", "Once upon a time",
            "--steps", "40", "--temperature", "0", "--weights-dtype", "bf16");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.StartsWith("Once upon a time", r.StdoutText, StringComparison.Ordinal);
        Assert.True(r.StdoutText.Length > "Once upon a time".Length + 40, r.StdoutText);
    }

    [Fact]
    public void Full_training_on_bf16_and_an_unknown_dtype_are_one_line_errors()
    {
        var full = CliRunner.Run("bench", "--preset", "stories260k", "--mode", "full", "--weights-dtype", "bf16");
        Assert.NotEqual(0, full.ExitCode);
        Assert.Equal("error: --weights-dtype bf16 holds a frozen base; --mode full trains every weight in fp32 (use lora or generate)", full.Stderr.Trim());
        var unknown = CliRunner.Run("bench", "--preset", "stories260k", "--mode", "lora", "--weights-dtype", "int4");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Equal("error: --weights-dtype must be f32 or bf16 (got 'int4')", unknown.Stderr.Trim());
        var preset = CliRunner.Run("bench", "--preset", "smollm2-136m", "--mode", "lora");
        Assert.Equal("error: unknown preset 'smollm2-136m' (expected stories260k, bench-30m, smollm2-135m)", preset.Stderr.Trim());
    }
}
