// Generation prints characters that the tokenizer spells as byte pieces (emoji through <0xF0> <0x9F> ... byte fallback):
// the bytes are joined across pieces into whole UTF-8 characters, in the returned output and in every streamed chunk.
using System.Text;
using FedSpine.Model.Formats;
using FedSpine.Model.Inference;
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Tests;

public class GenerationUtf8Tests
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [Fact]
    public void Assembler_holds_an_incomplete_character_until_its_last_byte()
    {
        var assembler = new Utf8PieceAssembler();
        byte[] smile = Encoding.UTF8.GetBytes("😀");
        Assert.Empty(assembler.Push(smile.AsSpan(0, 1)));
        Assert.Empty(assembler.Push(smile.AsSpan(1, 2)));
        Assert.Equal("😀!", Encoding.UTF8.GetString(assembler.Push([smile[3], (byte)'!'])));
        Assert.Equal("a\uFFFDb", Encoding.UTF8.GetString(assembler.Push([(byte)'a', 0x9F, (byte)'b']))); // a stray continuation byte
        Assert.Equal("é", Encoding.UTF8.GetString(assembler.Push([0xC3, 0xA9])));
        Assert.Empty(assembler.Push([0xE6, 0x97]));
        Assert.Equal("\uFFFD", Encoding.UTF8.GetString(assembler.Flush())); // output ended inside a character
        Assert.Empty(assembler.Flush());
    }

    [SharedDataFact]
    public void Emoji_in_the_prompt_print_whole_when_streamed_and_returned()
    {
        var (_, weights) = Llama2cCheckpoint.Load(SharedData.Stories260K);
        var tokenizer = Llama2cTokenizer.Load(SharedData.Tok512);
        const string Prompt = "Tim saw a 😀 and a 🐶 dog. 日本";
        int[] ids = tokenizer.Encode(Prompt, bos: true, eos: false);
        Assert.Contains(ids, id => id is >= 3 and < 259); // llama2.c's byte-fallback tokens <0x00>..<0xFF>
        var chunks = new List<byte[]>();
        var result = TextGenerator.Generate(weights, tokenizer, Prompt, ids.Length + 10, new RunCSampler(weights.Config.VocabSize, 0f, 0.9f, 1),
            onPiece: chunks.Add);
        string printed = Strict.GetString(result.Output);
        Assert.StartsWith(Prompt, printed, StringComparison.Ordinal);
        Assert.All(chunks, chunk => Strict.GetString(chunk)); // every streamed chunk is whole characters
        Assert.Equal(result.Output, chunks.SelectMany(c => c).ToArray());
    }
}
