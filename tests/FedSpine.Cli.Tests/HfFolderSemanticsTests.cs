// The Hugging Face folder written from a llama2.c checkpoint must compute the same function: a PyTorch script runs
// llama2.c's formulation (interleaved RoPE) on the .bin and transformers' LlamaForCausalLM formulation (rotate_half
// RoPE) on the folder, in float64, and requires the logits to agree to 1e-6 of their largest magnitude.
using System.Diagnostics;
using FedSpine.Model.Formats;

namespace FedSpine.Cli.Tests;

public sealed class HfFolderSemanticsTests
{
    [TorchFact]
    public void Stories260K_HfFolder_MatchesLlama2cForward()
    {
        string bin = SharedData.Stories260K;
        string script = Path.Combine(TorchFactAttribute.RepoRoot!, "tests", "reference", "check_hf_folder.py");
        string folder = Path.Combine(Path.GetTempPath(), "fedspine-hf-semantics-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (_, weights) = Llama2cCheckpoint.Load(bin);
            HfModelFolder.Save(folder, weights);

            var (exitCode, stdout, stderr) = RunPython(script, "--bin", bin, "--folder", folder);

            Assert.True(exitCode == 0, $"check_hf_folder.py exited with {exitCode}\nstdout: {stdout}\nstderr: {stderr}");
            Assert.Contains("\"ok\": true", stdout, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private static (int ExitCode, string Stdout, string Stderr) RunPython(params string[] args)
    {
        var start = new ProcessStartInfo(TorchFactAttribute.Python, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{TorchFactAttribute.Python} {string.Join(' ', args)} did not finish within 5 minutes");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
