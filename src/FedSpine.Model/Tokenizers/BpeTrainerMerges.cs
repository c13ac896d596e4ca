// The merge loop of BPE training: pair counts over distinct words (weighted by their counts), updated incrementally as
// each merge rewrites only the words holding that pair; the next merge is the most frequent pair, ties by ordinal text.
namespace FedSpine.Model.Tokenizers;

internal sealed class BpeTrainerMerges
{
    private readonly List<int[]> _words;
    private readonly List<long> _counts;
    private readonly List<string> _tokens;
    private readonly Dictionary<string, int> _vocab;
    private readonly int _firstMergeableId;
    private readonly Dictionary<long, long> _pairCounts = [];
    private readonly Dictionary<long, List<int>> _pairWords = [];  // words that held the pair when it was counted (may be stale)
    private readonly HashSet<long> _forbidden = [];                  // pairs whose text would spell a special or byte token
    private readonly PriorityQueue<long, (long Count, int Left, int Right)> _queue; // lazily invalidated: stale counts are skipped
    private readonly int[] _seen;
    private int _stamp;

    /// <param name="words">Distinct words as token ids (rewritten in place).</param>
    /// <param name="counts">How often each word occurs.</param>
    /// <param name="tokens">Token text by id (merged tokens are appended).</param>
    /// <param name="vocab">Id by token text (merged tokens are added).</param>
    /// <param name="firstMergeableId">Merged text equal to a token below this id (specials, bytes) is never learned.</param>
    public BpeTrainerMerges(List<int[]> words, List<long> counts, List<string> tokens, Dictionary<string, int> vocab, int firstMergeableId)
    {
        _words = words;
        _counts = counts;
        _tokens = tokens;
        _vocab = vocab;
        _firstMergeableId = firstMergeableId;
        _seen = new int[words.Count];
        _queue = new PriorityQueue<long, (long, int, int)>(new MoreFrequentFirst(tokens));
        for (int w = 0; w < words.Count; w++)
        {
            var symbols = words[w];
            for (int i = 0; i + 1 < symbols.Length; i++)
            {
                long key = Key(symbols[i], symbols[i + 1]);
                _pairCounts[key] = _pairCounts.GetValueOrDefault(key) + counts[w];
                WordsOf(key).Add(w);
            }
        }
        foreach (var (key, count) in _pairCounts)
        {
            Offer(key, count);
        }
    }

    /// <summary>Learns merges until the vocab holds <paramref name="vocabSize"/> tokens or no pair is left; returns them in rank order.</summary>
    public List<(string Left, string Right)> Learn(int vocabSize, Action<int, int>? progress)
    {
        var merges = new List<(string Left, string Right)>();
        while (_vocab.Count < vocabSize && _queue.TryDequeue(out long key, out var entry))
        {
            if (_pairCounts.GetValueOrDefault(key) != entry.Count || _forbidden.Contains(key))
            {
                continue;
            }
            string left = _tokens[entry.Left], right = _tokens[entry.Right];
            string text = left + right;
            if (!_vocab.TryGetValue(text, out int merged))
            {
                merged = _tokens.Count;
                _tokens.Add(text);
                _vocab.Add(text, merged);
            }
            else if (merged < _firstMergeableId)
            {
                _forbidden.Add(key);
                continue;
            }
            merges.Add((left, right));
            Apply(key, entry.Left, entry.Right, merged);
            progress?.Invoke(_vocab.Count, vocabSize);
        }
        return merges;
    }

    /// <summary>Replaces every (left, right) by merged in the words holding it, and updates the pair counts by the net change.</summary>
    private void Apply(long key, int left, int right, int merged)
    {
        var delta = new Dictionary<long, long>();
        void Count(int[] symbols, long weight)
        {
            for (int i = 0; i + 1 < symbols.Length; i++)
            {
                long pair = Key(symbols[i], symbols[i + 1]);
                delta[pair] = delta.GetValueOrDefault(pair) + weight;
            }
        }
        if (!_pairWords.Remove(key, out var holders))
        {
            return;
        }
        _stamp++;
        foreach (int w in holders)
        {
            if (_seen[w] == _stamp)
            {
                continue;
            }
            _seen[w] = _stamp;
            var old = _words[w];
            var rewritten = Rewrite(old, left, right, merged);
            if (rewritten.Length == old.Length)
            {
                continue; // stale entry: the pair is no longer in this word
            }
            Count(old, -_counts[w]);
            Count(rewritten, _counts[w]);
            _words[w] = rewritten;
            for (int i = 0; i + 1 < rewritten.Length; i++)
            {
                if (rewritten[i] == merged || rewritten[i + 1] == merged)
                {
                    WordsOf(Key(rewritten[i], rewritten[i + 1])).Add(w);
                }
            }
        }
        foreach (var (pair, change) in delta)
        {
            if (change == 0)
            {
                continue;
            }
            long count = _pairCounts.GetValueOrDefault(pair) + change;
            if (count > 0)
            {
                _pairCounts[pair] = count;
                Offer(pair, count);
            }
            else
            {
                _pairCounts.Remove(pair);
            }
        }
    }

    /// <summary>The word with each non-overlapping (left, right), leftmost first, replaced by merged.</summary>
    private static int[] Rewrite(int[] symbols, int left, int right, int merged)
    {
        var result = new List<int>(symbols.Length);
        for (int i = 0; i < symbols.Length; i++)
        {
            if (i + 1 < symbols.Length && symbols[i] == left && symbols[i + 1] == right)
            {
                result.Add(merged);
                i++;
            }
            else
            {
                result.Add(symbols[i]);
            }
        }
        return result.Count == symbols.Length ? symbols : result.ToArray();
    }

    private void Offer(long key, long count) => _queue.Enqueue(key, (count, (int)(key >> 32), (int)(uint)key));

    private List<int> WordsOf(long key)
    {
        if (!_pairWords.TryGetValue(key, out var list))
        {
            list = [];
            _pairWords[key] = list;
        }
        return list;
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    /// <summary>Higher count first; on ties the pair whose left, then right, token text is ordinally smaller.</summary>
    private sealed class MoreFrequentFirst(List<string> tokens) : IComparer<(long Count, int Left, int Right)>
    {
        public int Compare((long Count, int Left, int Right) x, (long Count, int Left, int Right) y)
        {
            int byCount = y.Count.CompareTo(x.Count);
            if (byCount != 0)
            {
                return byCount;
            }
            int byLeft = string.CompareOrdinal(tokens[x.Left], tokens[y.Left]);
            return byLeft != 0 ? byLeft : string.CompareOrdinal(tokens[x.Right], tokens[y.Right]);
        }
    }
}
