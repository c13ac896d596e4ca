// A classification dataset tokenized once: per example BOS + text ids cut to a maximum length, its class, and the
// pad id batches fill with (any id works: causal attention keeps padding out of the real positions).
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Tasks;

public sealed class TokenizedClassificationSet
{
    public const int DefaultMaxTokens = 64;

    private readonly int[][] _ids;
    private readonly int[] _labels;

    private TokenizedClassificationSet(int[][] ids, int[] labels, IReadOnlyList<string> classNames, int padId, int maxTokens, string source)
    {
        _ids = ids;
        _labels = labels;
        ClassNames = classNames;
        PadId = padId;
        MaxTokens = maxTokens;
        Source = source;
    }

    public int Count => _ids.Length;
    public int ClassCount => ClassNames.Count;
    public IReadOnlyList<string> ClassNames { get; }
    public int PadId { get; }
    public int MaxTokens { get; }
    public string Source { get; }

    /// <summary>Token ids of example i: BOS first, at most MaxTokens.</summary>
    public ReadOnlySpan<int> Ids(int i) => _ids[i];

    public int Label(int i) => _labels[i];

    /// <summary>Tokenizes every example as BOS + text, keeping the first maxTokens ids; padId defaults to EOS.</summary>
    public static TokenizedClassificationSet Encode(TextClassificationDataset data, ITokenizer tokenizer, int maxTokens = DefaultMaxTokens, int? padId = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        int pad = padId ?? tokenizer.EosId;
        if ((uint)pad >= (uint)tokenizer.VocabSize)
        {
            throw new ArgumentOutOfRangeException(nameof(padId), $"pad id {pad} outside the tokenizer's {tokenizer.VocabSize} tokens");
        }
        var ids = new int[data.Count][];
        var labels = new int[data.Count];
        for (int i = 0; i < data.Count; i++)
        {
            int[] encoded = tokenizer.Encode(data.Examples[i].Text, bos: true, eos: false);
            ids[i] = encoded.Length > maxTokens ? encoded[..maxTokens] : encoded;
            labels[i] = data.Examples[i].Label;
        }
        return new TokenizedClassificationSet(ids, labels, data.Labels, pad, maxTokens, data.Source);
    }

    /// <summary>The examples at <paramref name="indices"/> (in that order), same classes, pad id and length limit.</summary>
    public TokenizedClassificationSet Subset(IReadOnlyList<int> indices, string source)
    {
        var ids = new int[indices.Count][];
        var labels = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            ids[i] = _ids[indices[i]];
            labels[i] = _labels[indices[i]];
        }
        return new TokenizedClassificationSet(ids, labels, ClassNames, PadId, MaxTokens, source);
    }
}
