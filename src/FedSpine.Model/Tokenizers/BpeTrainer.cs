// Trains a SentencePiece-style byte-fallback BPE tokenizer in the LLaMA layout: ids 0-2 <unk> <s> </s>, 3-258 the byte
// tokens <0x00>..<0xFF>, then the characters covering the requested share of the text, then merges by pair frequency.
using System.Text;

namespace FedSpine.Model.Tokenizers;

public static class BpeTrainer
{
    public const double DefaultCharacterCoverage = 0.9995;

    private const string Source = "BPE training";

    /// <summary>Learns a tokenizer of exactly <paramref name="vocabSize"/> tokens from documents (each encoded as one text).</summary>
    /// <param name="characterCoverage">Share of the text's characters that must be base tokens (most frequent first); the
    /// rarer characters are spelled by their UTF-8 bytes.</param>
    /// <param name="progress">Called after each merge with (tokens so far, vocabSize).</param>
    public static HfTokenizer Train(IEnumerable<string> documents, int vocabSize, double characterCoverage = DefaultCharacterCoverage,
        Action<int, int>? progress = null)
    {
        if (!(characterCoverage > 0 && characterCoverage <= 1))
        {
            throw new ArgumentException($"character coverage must be in (0, 1], got {characterCoverage}");
        }
        var corpus = new BpeTrainerCorpus();
        foreach (string document in documents)
        {
            corpus.Add(document);
        }
        if (corpus.WordCounts.Count == 0)
        {
            throw new ArgumentException("no text to train the tokenizer on");
        }
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        tokens.AddRange(Enumerable.Range(0, 256).Select(b => ByteToken.Name((byte)b)));
        int firstCharacterId = tokens.Count;
        var characters = BaseCharacters(corpus.WordCounts, characterCoverage);
        if (firstCharacterId + characters.Count > vocabSize)
        {
            throw new ArgumentException($"vocab size {vocabSize} is too small: {firstCharacterId} special and byte tokens plus "
                + $"{characters.Count} base characters (coverage {characterCoverage}) need at least {firstCharacterId + characters.Count}");
        }
        tokens.AddRange(characters);
        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < tokens.Count; id++)
        {
            vocab.Add(tokens[id], id);
        }
        var (words, counts) = Fragments(corpus.WordCounts, vocab);
        var merges = new BpeTrainerMerges(words, counts, tokens, vocab, firstCharacterId).Learn(vocabSize, progress);
        if (vocab.Count < vocabSize)
        {
            throw new ArgumentException($"the text yields only {vocab.Count} distinct tokens, fewer than the vocab size {vocabSize} asked for");
        }
        return HfTokenizer.CreateLlama(vocab, merges, Source);
    }

    /// <summary>The most frequent characters (ordinal text on ties) until they cover the given share of all characters.</summary>
    private static List<string> BaseCharacters(IReadOnlyDictionary<string, long> wordCounts, double coverage)
    {
        var frequency = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        foreach (var (word, count) in wordCounts)
        {
            foreach (var rune in word.EnumerateRunes())
            {
                string text = rune.ToString();
                frequency[text] = frequency.GetValueOrDefault(text) + count;
                total += count;
            }
        }
        var chosen = new List<string>();
        long covered = 0;
        foreach (var (text, count) in frequency.OrderByDescending(f => f.Value).ThenBy(f => f.Key, StringComparer.Ordinal))
        {
            if (covered >= coverage * total)
            {
                break;
            }
            chosen.Add(text);
            covered += count;
        }
        return chosen;
    }

    /// <summary>Words as base-token ids, cut at characters outside the vocab (byte fallback never merges); pieces of one
    /// token are dropped, as they hold no pair.</summary>
    private static (List<int[]> Words, List<long> Counts) Fragments(IReadOnlyDictionary<string, long> wordCounts, Dictionary<string, int> vocab)
    {
        var fragments = new Dictionary<string, (int[] Ids, long Count)>(StringComparer.Ordinal);
        var ids = new List<int>();
        var text = new StringBuilder();
        void Flush(long count)
        {
            if (ids.Count > 1)
            {
                string key = text.ToString();
                fragments[key] = fragments.TryGetValue(key, out var known) ? (known.Ids, known.Count + count) : (ids.ToArray(), count);
            }
            ids.Clear();
            text.Clear();
        }
        foreach (var (word, count) in wordCounts)
        {
            foreach (var rune in word.EnumerateRunes())
            {
                if (vocab.TryGetValue(rune.ToString(), out int id))
                {
                    ids.Add(id);
                    text.Append(rune.ToString());
                }
                else
                {
                    Flush(count);
                }
            }
            Flush(count);
        }
        return (fragments.Values.Select(f => f.Ids).ToList(), fragments.Values.Select(f => f.Count).ToList());
    }
}
