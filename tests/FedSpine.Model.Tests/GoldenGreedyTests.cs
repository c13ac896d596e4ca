// Greedy generation of stories260K with tok512 prints exactly what llama2.c's run.c printed for every case of
// ../shared/models/stories260K/golden_greedy.json (prompt, steps as run.c's -n, temperature 0).
using System.Text;
using System.Text.Json;
using FedSpine.Model.Formats;
using FedSpine.Model.Inference;
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Tests;

public class GoldenGreedyTests
{
    public static TheoryData<int> CaseIndexes()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < 10; i++)
        {
            data.Add(i);
        }
        return data;
    }

    [SharedDataTheory]
    [MemberData(nameof(CaseIndexes))]
    public void GreedyGenerationPrintsWhatRunCPrinted(int index)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedData.File("models/stories260K/golden_greedy.json")));
        var cases = doc.RootElement.GetProperty("cases");
        Assert.Equal(10, cases.GetArrayLength());
        var c = cases[index];
        var (_, weights) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        var tokenizer = Llama2cTokenizer.Load(SharedData.Tok512);
        var sampler = new RunCSampler(weights.Config.VocabSize, 0f, 0.9f, 1);
        var result = TextGenerator.Generate(weights, tokenizer, c.GetProperty("prompt").GetString()!, c.GetProperty("steps").GetInt32(), sampler);
        Assert.Equal(c.GetProperty("text").GetString(), Encoding.UTF8.GetString(result.Output));
    }
}
