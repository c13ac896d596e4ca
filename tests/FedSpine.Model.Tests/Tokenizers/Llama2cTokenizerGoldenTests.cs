// llama2.c's own encoder (merges by SentencePiece score) on Meta's Llama 2 vocabulary (../shared tokenizer.bin) against the
// ids @huggingface/tokenizers gives on the same vocabulary converted to tokenizer.json (tests/fixtures/tokenizers/llama2).
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Tests.Tokenizers;

public class Llama2cTokenizerGoldenTests
{
    /// <summary>llama2.c's own encoder (merges by SentencePiece score) on Meta's Llama 2 vocabulary gives the ids
    /// @huggingface/tokenizers gives on the converted tokenizer.json, for every golden string without special tokens.</summary>
    [SharedDataFact]
    public void Llama2c_encoder_on_the_llama2_vocab_equals_huggingface()
    {
        var tokenizer = Llama2cTokenizer.Load(SharedData.Llama32k);
        var cases = RealTokenizerFiles.Golden("llama2").Cases.Where(c => !c.Text.Contains("<s>") && !c.Text.Contains("</s>") && !c.Text.Contains("<unk>")).ToList();
        var wrong = cases.Where(c => !tokenizer.Encode(c.Text, bos: false, eos: false).SequenceEqual(c.Ids))
            .Select(c => $"{System.Text.Json.JsonSerializer.Serialize(c.Text)}: expected [{string.Join(",", c.Ids)}] got [{string.Join(",", tokenizer.Encode(c.Text, false, false))}]")
            .ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {cases.Count} strings differ:\n{string.Join("\n", wrong.Take(8))}");
    }
}
