// HfTokenizer.FromLlama2c: the converted vocab + merges encode exactly as llama2.c's tokenizer on Austen lines (tok512 and
// LLaMA's 32k), decode back, keep LLaMA's spelling and merge order, and survive Save → Load.
using System.Text.Json;
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Tests;

public class TokenizerHfFromLlama2cTests
{
    private static readonly Lazy<(Llama2cTokenizer Source, HfTokenizer Converted)> Tok512 = new(() => Convert(SharedData.Tok512));
    private static readonly Lazy<(Llama2cTokenizer Source, HfTokenizer Converted)> Llama32k = new(() => Convert(SharedData.Llama32k));

    private static (Llama2cTokenizer Source, HfTokenizer Converted) Pair(string vocab) => vocab == "tok512" ? Tok512.Value : Llama32k.Value;

    [SharedDataTheory]
    [InlineData("tok512")]
    [InlineData("llama32k")]
    public void Converted_tokenizer_encodes_austen_lines_like_llama2c(string vocab)
    {
        var (source, converted) = Pair(vocab);
        Assert.Equal((source.VocabSize, source.BosId, source.EosId), (converted.VocabSize, converted.BosId, converted.EosId));
        foreach (string line in SharedData.AustenLines("sense_and_sensibility").Skip(100).Take(200))
        {
            int[] ids = converted.Encode(line, bos: true, eos: true);
            Assert.Equal(source.Encode(line, bos: true, eos: true), ids);
            Assert.Equal(line, converted.Decode(ids));
        }
    }

    [SharedDataTheory]
    [InlineData("tok512")]
    [InlineData("llama32k")]
    public void Saved_and_reloaded_tokenizer_encodes_the_same(string vocab)
    {
        var (source, converted) = Pair(vocab);
        using var temp = new TempFolder();
        string path = temp.File("tokenizer.json");

        converted.Save(path);
        var reloaded = HfTokenizer.Load(path);

        Assert.Equal(converted.VocabSize, reloaded.VocabSize);
        foreach (string line in SharedData.AustenLines("northanger_abbey").Skip(50).Take(200))
        {
            int[] ids = reloaded.Encode(line, bos: true, eos: false);
            Assert.Equal(source.Encode(line, bos: true, eos: false), ids);
            Assert.Equal(line, reloaded.Decode(ids));
        }
    }

    [SharedDataFact]
    public void Saved_llama32k_json_has_llamas_layout_spelling_and_merge_order()
    {
        var (_, converted) = Llama32k.Value;
        using var temp = new TempFolder();
        string path = temp.File("tokenizer.json");

        converted.Save(path);

        using var json = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = json.RootElement;
        var model = root.GetProperty("model");
        Assert.Equal("BPE", model.GetProperty("type").GetString());
        Assert.True(model.GetProperty("byte_fallback").GetBoolean());
        Assert.Equal("<unk>", model.GetProperty("unk_token").GetString());
        Assert.Equal(29871, model.GetProperty("vocab").GetProperty("▁").GetInt32());
        Assert.Equal(1, model.GetProperty("vocab").GetProperty("<s>").GetInt32());
        Assert.Equal(13, model.GetProperty("vocab").GetProperty("<0x0A>").GetInt32());
        var firstMerges = model.GetProperty("merges").EnumerateArray().Take(4)
            .Select(m => m[0].GetString() + " " + m[1].GetString()).ToArray();
        Assert.Equal(["▁ t", "e r", "i n", "▁ a"], firstMerges); // pieces 260-263, scores -1 to -4
        Assert.Equal(["Prepend", "Replace"], root.GetProperty("normalizer").GetProperty("normalizers").EnumerateArray()
            .Select(n => n.GetProperty("type").GetString()));
        Assert.Equal(["Replace", "ByteFallback", "Fuse", "Strip"], root.GetProperty("decoder").GetProperty("decoders").EnumerateArray()
            .Select(n => n.GetProperty("type").GetString()));
        Assert.Equal(["<unk>", "<s>", "</s>"], root.GetProperty("added_tokens").EnumerateArray()
            .Select(t => t.GetProperty("content").GetString()));
        Assert.Equal(1, root.GetProperty("post_processor").GetProperty("special_tokens").GetProperty("<s>").GetProperty("ids")[0].GetInt32());
    }

    [SharedDataFact]
    public void Special_tokens_in_the_text_are_matched_literally()
    {
        var (_, converted) = Tok512.Value;

        int[] ids = converted.Encode("Hi</s>", bos: false, eos: false);

        Assert.Equal(converted.EosId, ids[^1]);
        Assert.Equal("</s>", converted.Token(ids[^1]));
        Assert.Equal("Hi", converted.Decode(ids));
    }

    private static (Llama2cTokenizer, HfTokenizer) Convert(string path)
    {
        var source = Llama2cTokenizer.Load(path);
        return (source, HfTokenizer.FromLlama2c(source));
    }
}
