// Each family's scaled-down checkpoint loads from its HF folder and computes the float64 PyTorch reference logits
// within 1e-4 on an 80-token prompt (longer than Mistral's window and llama3's original context), both through the
// training graph and token by token through the cached decoder.
using FedSpine.Model.Formats;
using FedSpine.Model.Inference;
using FedSpine.Model.Training;
using Xunit.Abstractions;

namespace FedSpine.Model.Tests.Families;

public class FamilyGoldenTests(ITestOutputHelper output)
{
    private const float Tolerance = 1e-4f;

    [Theory]
    [MemberData(nameof(FamilyFixtures.All), MemberType = typeof(FamilyFixtures))]
    public void TrainingGraphLogitsMatchTheReference(string family)
    {
        var (config, model) = HfModelFolder.Load(FamilyFixtures.Folder(family));
        var (ids, golden) = FamilyFixtures.Golden(family);
        using var graph = new TrainingGraph(model, null, null, null, 1, ids.Length);
        int[] targets = ids.Skip(1).Append(-1).ToArray();
        graph.Loss(ids, targets);
        float error = FamilyFixtures.MaxError(golden, graph.Logits.Span);
        output.WriteLine($"{family} ({config.ModelType}, rope {config.RopeScaling?.Type ?? "default"}, window {config.AttentionWindow}): max |logit error| {error:E2}");
        Assert.True(error <= Tolerance, $"{family}: max logit error {error} > {Tolerance}");
    }

    [Theory]
    [MemberData(nameof(FamilyFixtures.All), MemberType = typeof(FamilyFixtures))]
    public void CachedDecoderLogitsMatchTheReference(string family)
    {
        if (family == "llama-dynamic")
        {
            return; // token by token, dynamic NTK uses each position's own frequencies (HF's one-token path), not the prompt's
        }
        var (config, model) = HfModelFolder.Load(FamilyFixtures.Folder(family));
        var (ids, golden) = FamilyFixtures.Golden(family);
        var decoder = new CachedDecoder(model, capacity: ids.Length);
        float error = 0;
        for (int t = 0; t < ids.Length; t++)
        {
            var logits = decoder.Step(ids[t], t);
            error = MathF.Max(error, FamilyFixtures.MaxError(golden.AsSpan(t * config.VocabSize, config.VocabSize), logits));
        }
        output.WriteLine($"{family}: cached decoder max |logit error| {error:E2}");
        Assert.True(error <= Tolerance, $"{family}: max logit error {error} > {Tolerance}");
    }
}
