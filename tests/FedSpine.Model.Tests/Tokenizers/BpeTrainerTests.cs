// BPE training: hand-worked merges on a tiny corpus (most frequent pair first, ordinal ties), exact vocab size,
// lossless round trips with byte fallback, reload of the saved tokenizer.json, determinism, and compression on Austen.
using System.Diagnostics;
using System.Text.Json;
using FedSpine.Model.Tokenizers;
using Xunit.Abstractions;

namespace FedSpine.Model.Tests.Tokenizers;

public sealed class BpeTrainerTests(ITestOutputHelper output) : IDisposable
{
    private const int Reserved = 3 + 256;

    /// <summary>A few sentences with repeated words; every character in it occurs at least twice.</summary>
    private static readonly string[] Corpus =
    [
        "The cat sat on the mat. The cat saw the hat, and the hat sat on the cat.\n\nThen the dog sat on the mat too!",
        "Another day, another mat: the dog and the cat sat together 12 times in 2024 (or so they said).",
        "\"Where is the hat?\" said the cat. \"On the mat,\" said the dog; \"where else?\"",
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("fedspine-bpe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LearnedMergesAreTheMostFrequentPairsInOrder()
    {
        // "▁hug"×3, "▁pug", "▁pun". Characters by count: u 5 and ▁ 5 (ordinal: u first), g 4, h 3, p 2, n 1.
        // Pairs: (u,g) 4 → "ug"; then (h,ug) 3 ties (▁,h) 3 and "h" < "▁" → "hug"; (▁,hug) 3; (▁,p) 2;
        // then (u,n), (▁p,u), (▁p,ug) at 1: "u" < "▁p" → "un"; then (▁p,ug) before (▁p,un) as "ug" < "un".
        var tokenizer = BpeTrainer.Train(["hug hug hug pug pun"], Reserved + 6 + 6, characterCoverage: 1.0);
        string path = Path.Combine(_dir, "tokenizer.json");
        tokenizer.Save(path);
        var (vocab, merges) = ReadModel(path);
        Assert.Equal(["u", "▁", "g", "h", "p", "n", "ug", "hug", "▁hug", "▁p", "un", "▁pug"],
            Enumerable.Range(Reserved, 12).Select(tokenizer.Token));
        Assert.Equal([("u", "g"), ("h", "ug"), ("▁", "hug"), ("▁", "p"), ("u", "n"), ("▁p", "ug")], merges);
        Assert.Equal(Enumerable.Range(0, Reserved + 12), vocab.Select(v => v.Id));
        Assert.Equal(["<unk>", "<s>", "</s>", "<0x00>"], vocab.Take(4).Select(v => v.Token));
        Assert.Equal("<0xFF>", vocab[Reserved - 1].Token);
        Assert.Equal([Reserved + 8, Reserved + 11, Reserved + 9, Reserved + 10], tokenizer.Encode("hug pug pun", bos: false, eos: false));
    }

    [Fact]
    public void MergesNeverCrossAWordStartOrMixLettersWithPunctuation()
    {
        var tokenizer = BpeTrainer.Train([string.Concat(Enumerable.Repeat("hello, world... hello!! world?!\n\n", 50))], Reserved + 28, characterCoverage: 1.0);
        var tokens = Enumerable.Range(Reserved, tokenizer.VocabSize - Reserved).Select(tokenizer.Token).ToList();
        Assert.Contains("▁hello", tokens);
        Assert.Contains("▁world", tokens);
        Assert.All(tokens, t => Assert.DoesNotContain('▁', t[1..]));
        Assert.All(tokens, t => Assert.False(t.Any(char.IsLetter) && t.Any(char.IsPunctuation), $"'{t}' mixes letters and punctuation"));
        Assert.All(tokens, t => Assert.False(t.Contains('\n') && t.Trim('\n').Length > 0, $"'{t}' mixes a line break with other text"));
    }

    [Theory]
    [InlineData("The cat sat on the mat.")]
    [InlineData(" leading and  double   spaces, trailing ")]
    [InlineData("line one\nline two\n\n\ttabbed\r\nwindows")]
    [InlineData("naïve café, Zoë — “quotes” 日本語 ∑ x² ½")]
    [InlineData("emoji 😀👍🏽 and a flag 🇩🇪, a lone ~ and a ^")]
    [InlineData("")]
    public void DecodingTheEncodingGivesTheTextBack(string text)
    {
        var tokenizer = BpeTrainer.Train(Corpus, 300);
        int[] ids = tokenizer.Encode(text, bos: true, eos: true);
        Assert.Equal(text, tokenizer.Decode(ids));
        Assert.DoesNotContain(0, ids); // never <unk>: byte fallback spells every character
    }

    [Fact]
    public void CharactersOutsideTheCoverageFallBackToBytes()
    {
        // 'z' is 1 of 1001 characters (a 600, b 398, ▁ 2): kept at full coverage, spelled as bytes at 99.8%.
        string text = new string('a', 600) + " " + new string('b', 398) + "z";
        var full = BpeTrainer.Train([text], Reserved + 4, characterCoverage: 1.0);
        var partial = BpeTrainer.Train([text], Reserved + 3, characterCoverage: 0.998);
        Assert.Equal(Reserved + 3, full.Encode("z", bos: false, eos: false)[1]);
        Assert.Equal([3 + 'z'], partial.Encode("z", bos: false, eos: false)[1..]);
        Assert.Equal("zz", partial.Decode(partial.Encode("zz", bos: false, eos: false)));
        Assert.Equal(["a", "b", "▁"], Enumerable.Range(Reserved, 3).Select(partial.Token));
    }

    [Fact]
    public void EmojiAreBaseTokensWhenFrequent()
    {
        var tokenizer = BpeTrainer.Train(["😀 😀 😀 ok"], Reserved + 4, characterCoverage: 1.0);
        int[] ids = tokenizer.Encode("😀", bos: false, eos: false);
        Assert.Equal(["▁", "😀"], ids.Select(tokenizer.Token));
        Assert.Equal("😀", tokenizer.Decode(ids));
    }

    [Theory]
    [InlineData(294)]
    [InlineData(300)]
    [InlineData(340)]
    public void VocabSizeIsExactAndTheSavedFileReloadsWithTheSameIds(int vocabSize)
    {
        var tokenizer = BpeTrainer.Train(Corpus, vocabSize);
        string path = Path.Combine(_dir, "tokenizer.json");
        tokenizer.Save(path);
        var reloaded = HfTokenizer.Load(path);
        Assert.Equal(vocabSize, tokenizer.VocabSize);
        Assert.Equal(vocabSize, reloaded.VocabSize);
        Assert.Equal(vocabSize, ReadModel(path).Vocab.Count);
        Assert.Equal(Enumerable.Range(0, vocabSize).Select(tokenizer.Token), Enumerable.Range(0, vocabSize).Select(reloaded.Token));
        Assert.Equal((1, 2), (reloaded.BosId, reloaded.EosId));
        foreach (string text in Corpus.Append("Unseen words: zebra, 😀, ø."))
        {
            Assert.Equal(tokenizer.Encode(text, bos: true, eos: false), reloaded.Encode(text, bos: true, eos: false));
        }
    }

    [Fact]
    public void TrainingTwiceWritesIdenticalFiles()
    {
        string first = Path.Combine(_dir, "a.json"), second = Path.Combine(_dir, "b.json");
        BpeTrainer.Train(Corpus, 320).Save(first);
        BpeTrainer.Train(Corpus.ToList(), 320).Save(second);
        Assert.Equal(File.ReadAllBytes(first), File.ReadAllBytes(second));
    }

    [Fact]
    public void ImpossibleSizesAndCoveragesAreRejectedWithTheReason()
    {
        var tooSmall = Assert.Throws<ArgumentException>(() => BpeTrainer.Train(Corpus, 270, characterCoverage: 1.0));
        Assert.Contains("vocab size 270 is too small", tooSmall.Message);
        var tooLarge = Assert.Throws<ArgumentException>(() => BpeTrainer.Train(["ab ab"], 5000));
        Assert.Contains("fewer than the vocab size 5000", tooLarge.Message);
        Assert.Throws<ArgumentException>(() => BpeTrainer.Train(Corpus, 300, characterCoverage: 0));
        Assert.Contains("no text", Assert.Throws<ArgumentException>(() => BpeTrainer.Train(["", ""], 300)).Message);
    }

    [SharedDataFact]
    public void AustenVocabOf2048CompressesWellAndTrainsQuickly()
    {
        var novels = Directory.GetFiles(SharedData.File("data/austen"), "*.txt").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
        var clock = Stopwatch.StartNew();
        var tokenizer = BpeTrainer.Train(novels, 2048);
        double seconds = clock.Elapsed.TotalSeconds;
        long tokens = novels.Sum(n => (long)tokenizer.Encode(n, bos: false, eos: false).Length);
        double perCharacter = (double)tokens / novels.Sum(n => (long)n.Length);
        output.WriteLine($"trained 2048 tokens in {seconds:F1} s; {perCharacter:F4} tokens per character");
        Assert.Equal(2048, tokenizer.VocabSize);
        Assert.InRange(perCharacter, 0.2, 0.33); // measured 0.3036 (bytes would be 1.0)
        Assert.InRange(seconds, 0, 20);
        Assert.Equal(novels[0], tokenizer.Decode(tokenizer.Encode(novels[0], bos: true, eos: false)));
    }

    /// <summary>The "model" of a saved tokenizer.json: vocab in file order and merges in rank order.</summary>
    private static (List<(string Token, int Id)> Vocab, List<(string, string)> Merges) ReadModel(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var model = document.RootElement.GetProperty("model");
        var vocab = model.GetProperty("vocab").EnumerateObject().Select(p => (p.Name, p.Value.GetInt32())).ToList();
        var merges = model.GetProperty("merges").EnumerateArray().Select(m => (m[0].GetString()!, m[1].GetString()!)).ToList();
        return (vocab, merges);
    }
}
