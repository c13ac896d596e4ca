// UnicodeNfc against Python's unicodedata.normalize("NFC", ...): composition, singletons, exclusions, Hangul, canonical
// reordering, blocking, supplementary characters; and Qwen3's NFC normalizer on decomposed input.
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Tests.Tokenizers;

public class UnicodeNfcTests
{
    [Theory]
    [InlineData("e\u0301", "\u00E9")]
    [InlineData("A\u030A", "\u00C5")]
    [InlineData("\u212B", "\u00C5")]
    [InlineData("\u1100\u1161\u11A8", "\uAC01")]
    [InlineData("\uAC00\u11A8", "\uAC01")]
    [InlineData("a\u0323\u0302", "\u1EAD")]
    [InlineData("a\u0302\u0323", "\u1EAD")]
    [InlineData("\u0958", "\u0915\u093C")]
    [InlineData("\U0001D15E", "\U0001D157\U0001D165")]
    [InlineData("\u0B47\u0B3E", "\u0B4B")]
    [InlineData("\u0301e", "\u0301e")]
    [InlineData("e\u0301\u0301", "\u00E9\u0301")]
    [InlineData("o\u0308\u0304", "\u022B")]
    [InlineData("\u1E0B\u0323", "\u1E0D\u0307")]
    [InlineData("q\u0307\u0323", "q\u0323\u0307")]
    [InlineData("\u1E68", "\u1E68")]
    [InlineData("A\u0301\u0327", "\u00C1\u0327")]
    [InlineData("caf\u00E9 nai\u0308ve", "caf\u00E9 na\u00EFve")]
    [InlineData("\u00C5ngstr\u00F6m \u212B", "\u00C5ngstr\u00F6m \u00C5")]
    [InlineData("\uFB01 ligature stays", "\uFB01 ligature stays")]
    [InlineData("\u2126 ohm", "\u03A9 ohm")]
    [InlineData("\u0344", "\u0308\u0301")]
    [InlineData("\u0F73", "\u0F71\u0F72")]
    [InlineData("x\u05B0\u05B7", "x\u05B0\u05B7")]
    [InlineData("\u3099\u304B", "\u3099\u304B")]
    [InlineData("\u304B\u3099", "\u304C")]
    public void Normalize_matches_python_unicodedata(string text, string expected)
    {
        Assert.Equal(expected, UnicodeNfc.Normalize(text));
    }

    [Fact]
    public void Text_already_in_nfc_is_returned_unchanged()
    {
        foreach (string text in new[] { "", "plain ASCII", "café naïve 日本語 😀 한국어" })
        {
            Assert.Equal(text, UnicodeNfc.Normalize(text));
        }
    }

    [Fact]
    public void Qwen3_tokenizes_decomposed_text_as_its_composed_form()
    {
        var qwen = RealTokenizerFiles.Tokenizer("qwen3");
        Assert.Equal(qwen.Encode("caf\u00E9 na\u00EFve", false, false), qwen.Encode("cafe\u0301 nai\u0308ve", false, false));
    }
}
