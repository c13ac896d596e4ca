// Builds a LLaMA-layout tokenizer (Prepend/Replace normalizer, byte-fallback decoder, <unk> <s> </s> as special added
// tokens, fused unk) from a vocab and rank-ordered merges, as BPE training produces them.
namespace FedSpine.Model.Tokenizers;

public sealed partial class HfTokenizer
{
    internal static HfTokenizer CreateLlama(Dictionary<string, int> vocab, List<(string Left, string Right)> merges, string source)
    {
        var added = new[] { "<unk>", "<s>", "</s>" }
            .Select(t => vocab.TryGetValue(t, out int id) ? new HfAddedToken(id, t, Special: true)
                : throw new ArgumentException($"{source}: the vocab has no '{t}' token"))
            .OrderBy(a => a.Id).ToList();
        var model = new HfBpeModel(vocab, merges, "<unk>", byteFallback: true, fuseUnk: true, ignoreMerges: false, source);
        return new HfTokenizer(model, added, HfPreprocessing.Llama, HfDecoding.Llama, source);
    }
}
