// Converts a llama2.c (SentencePiece BPE) vocabulary with scores to an HF BPE tokenizer as HF's LlamaConverter does:
// every split of a piece into two vocab pieces is a merge, ranked by the piece's score (descending), then by ids.
namespace FedSpine.Model.Tokenizers;

public sealed partial class HfTokenizer
{
    public static HfTokenizer FromLlama2c(Llama2cTokenizer source)
    {
        const string Origin = "llama2.c vocabulary";
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < source.VocabSize; id++)
        {
            string token = HfSpelling(source, id);
            if (!vocab.TryAdd(token, id))
            {
                throw new InvalidDataException($"{Origin}: tokens {vocab[token]} and {id} are both '{token}'");
            }
        }
        var candidates = new List<(float Score, int Merged, int Left, int Right, string LeftText, string RightText)>();
        foreach (var (token, merged) in vocab)
        {
            float score = source.Score(merged);
            if (!(score > Llama2cTokenizer.NeverMergedScore))
            {
                continue; // llama2.c never produces these by merging, so neither may we
            }
            for (int split = 1; split < token.Length; split++)
            {
                if (char.IsLowSurrogate(token[split]))
                {
                    continue;
                }
                if (vocab.TryGetValue(token[..split], out int left) && vocab.TryGetValue(token[split..], out int right))
                {
                    candidates.Add((score, merged, left, right, token[..split], token[split..]));
                }
            }
        }
        var merges = candidates
            .OrderByDescending(c => c.Score).ThenBy(c => c.Merged).ThenBy(c => c.Left).ThenBy(c => c.Right)
            .Select(c => (c.LeftText, c.RightText)).ToList();
        var added = new[] { "<unk>", "<s>", "</s>" }
            .Where(vocab.ContainsKey).Select(t => new HfAddedToken(vocab[t], t, Special: true)).OrderBy(a => a.Id).ToList();
        string? unk = vocab.ContainsKey("<unk>") ? "<unk>" : null;
        var model = new HfBpeModel(vocab, merges, unk, byteFallback: true, fuseUnk: true, ignoreMerges: false, Origin);
        return new HfTokenizer(model, added, HfPreprocessing.Llama, HfDecoding.Llama, Origin);
    }

    /// <summary>The HF spelling of a llama2.c piece: "▁" for spaces, and "\n&lt;s&gt;\n"/"\n&lt;/s&gt;\n" back to &lt;s&gt;/&lt;/s&gt;.</summary>
    private static string HfSpelling(Llama2cTokenizer source, int id)
    {
        string piece = source.Piece(id);
        if ((id == source.BosId || id == source.EosId) && piece.Trim('\n') is "<s>" or "</s>")
        {
            return piece.Trim('\n');
        }
        return piece.Replace(' ', '▁');
    }
}
