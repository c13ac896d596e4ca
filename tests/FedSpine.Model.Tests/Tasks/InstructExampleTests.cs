// Instruct examples: the template round-trips, the loss mask scores exactly the response ids and the end-of-text id,
// and truncation keeps the response (prompt head and tail first, the response's end last).
using FedSpine.Model.Tasks;

namespace FedSpine.Model.Tests.Tasks;

public class InstructExampleTests
{
    [Theory]
    [InlineData("Name a colour.", "", "Blue.")]
    [InlineData("Summarise the text.", "Line one.\nLine two.", "Two lines.")]
    public void TemplateRoundTrips(string instruction, string context, string response)
    {
        string text = InstructTemplate.Format(new InstructRecord(instruction, context, response, "c"));
        Assert.Equal((instruction, context, response), InstructTemplate.Parse(text));
        Assert.EndsWith(InstructTemplate.ResponseMarker + response, text);
        Assert.Equal(context.Length > 0, text.Contains(InstructTemplate.ContextMarker, StringComparison.Ordinal));
        Assert.Throws<FormatException>(() => InstructTemplate.Parse("no template here"));
    }

    [Fact]
    public void LossMaskCoversExactlyTheResponseAndEndOfText()
    {
        var tokenizer = new CharTokenizer(29);
        var record = new InstructRecord("Hi", "ctx", "Ok!", "c");
        var example = InstructExample.Encode(record, tokenizer, tokens: 64, category: 0);
        int[] prompt = tokenizer.Encode(InstructTemplate.Prompt("Hi", "ctx"), bos: true, eos: false);
        int[] response = tokenizer.Encode("Ok!", bos: false, eos: true);
        Assert.Equal([.. prompt, .. response], example.Ids.ToArray());
        Assert.Equal(prompt.Length, example.PromptLength);
        Assert.Equal(4, example.ResponseLength);   // 'O', 'k', '!', EOS

        var inputs = new int[64];
        var targets = new int[64];
        example.Fill(inputs, targets, padId: tokenizer.EosId);
        int n = prompt.Length + response.Length;
        for (int j = 0; j < 64; j++)
        {
            // Position j predicts id j+1: scored exactly when id j+1 is a response id or the end-of-text id.
            bool scored = j + 1 >= prompt.Length && j + 1 < n;
            Assert.Equal(scored ? example.Ids[j + 1] : -1, targets[j]);
            Assert.Equal(j < n - 1 ? example.Ids[j] : tokenizer.EosId, inputs[j]);
        }
        Assert.Equal([.. response], targets.Where(t => t >= 0));
        Assert.Equal(tokenizer.EosId, targets.Last(t => t >= 0));
    }

    [Fact]
    public void TruncationCutsThePromptMiddleAndKeepsTheResponse()
    {
        int[] prompt = [1, 10, 11, 12, 13, 14, 15, 16, 17, 18];   // BOS + 9
        int[] response = [20, 21, 22, 23, 2];                     // 4 + EOS
        var (ids, promptLength) = InstructTruncation.Fit(prompt, response, 8);
        // P = max(8 − 5, min(10, 8/4)) = 3: head ⌈3/2⌉ = 2 ids, tail 1 id; the response whole.
        Assert.Equal([1, 10, 18, 20, 21, 22, 23, 2], ids);
        Assert.Equal(3, promptLength);

        var (fits, fitsLength) = InstructTruncation.Fit(prompt, response, 15);
        Assert.Equal([.. prompt, .. response], fits);
        Assert.Equal(10, fitsLength);
    }

    [Fact]
    public void AResponseLongerThanTheRowKeepsItsStartAfterAQuarterRowOfPrompt()
    {
        int[] prompt = [1, 10, 11, 12, 13, 14];
        int[] response = [.. Enumerable.Range(20, 12), 2];
        var (ids, promptLength) = InstructTruncation.Fit(prompt, response, 12);
        // P = max(12 − 13, min(6, 3)) = 3 (BOS, 10 | 14); the response keeps its first 9 ids and loses EOS.
        Assert.Equal(3, promptLength);
        Assert.Equal([1, 10, 14, .. Enumerable.Range(20, 9)], ids);
    }
}
