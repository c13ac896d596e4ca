// Pretraining text from the instruct training split: a training record that repeats a test response, or quotes a long
// one in its context, is left out; a short test response ("Yes") elsewhere does not remove a record; the text is the
// kept records in the prompt template, blank-line separated.
using FedSpine.Model.Tasks;

namespace FedSpine.Model.Tests.Tasks;

public class InstructPretrainTextTests
{
    [Fact]
    public void Records_carrying_a_test_response_are_left_out()
    {
        const string longAnswer = "Paris has been the capital of France since 987.";
        var test = new InstructDataset([new("Capital of France?", "", longAnswer, "open_qa"), new("Is it?", "", "Yes", "open_qa")], "test");
        var train = new InstructDataset(
        [
            new("Kept: a plain record", "", "An answer.", "open_qa"),
            new("Duplicate of a test record", "", longAnswer, "open_qa"),
            new("Quotes it", $"As written: {longAnswer} End.", "Something.", "closed_qa"),
            new("Short duplicate", "", "Yes", "open_qa"),
            new("Says yes inside", "", "Yes, and more words.", "open_qa"),
        ], "train");
        var kept = InstructPretrainText.Kept(train, test);
        Assert.Equal(["Kept: a plain record", "Says yes inside"], kept.Select(r => r.Instruction));

        string path = Path.Combine(Path.GetTempPath(), $"fedspine-pretrain-text-{Guid.NewGuid():N}.txt");
        Assert.Equal(2, InstructPretrainText.Write(path, train, test));
        Assert.Equal(InstructTemplate.Format(kept[0]) + "\n\n" + InstructTemplate.Format(kept[1]) + "\n\n", File.ReadAllText(path));
        File.Delete(path);
    }
}
