// ROUGE-L F1 on hand-worked pairs: LCS over lowercased letter-and-digit words, F1 = 2PR/(P+R), zero for no words.
using FedSpine.Model.Tasks;

namespace FedSpine.Model.Tests.Tasks;

public class RougeLTests
{
    [Theory]
    [InlineData("the cat sat on the mat", "the cat is on the mat", 5.0 / 6)]   // LCS "the cat on the mat": P = R = 5/6
    [InlineData("a b c d", "a c e", 4.0 / 7)]                                 // LCS 2: P = 1/2, R = 2/3, F1 = 4/7
    [InlineData("Hello, World!", "hello world", 1.0)]                         // case and punctuation do not count
    [InlineData("x y", "y x", 0.5)]                                           // LCS 1: P = R = 1/2
    [InlineData("police killed the gunman", "the gunman kill police", 0.5)]   // LCS "the gunman" (no stemming): 2/4 each
    [InlineData("", "anything", 0.0)]
    [InlineData("abc", "def", 0.0)]
    public void F1OfKnownPairs(string candidate, string reference, double expected) =>
        Assert.Equal(expected, RougeL.F1(candidate, reference), 12);

    [Fact]
    public void WordsAndLcs()
    {
        Assert.Equal(["it", "s", "3", "pm"], RougeL.Words("It's 3 PM"));
        Assert.Equal(4, RougeL.Lcs(["a", "b", "c", "b", "d", "a", "b"], ["b", "d", "c", "a", "b", "a"]));   // CLRS: "bcba"
        Assert.Equal(0.75, RougeL.MeanF1([("a", "a"), ("a b", "a c")]), 12);
    }
}
