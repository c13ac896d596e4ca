// An instruct dataset tokenized once for rows of a fixed token count (InstructExample per record), with its categories;
// subsets share the examples.
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Tasks;

public sealed class TokenizedInstructSet
{
    private readonly InstructExample[] _examples;

    public TokenizedInstructSet(InstructExample[] examples, IReadOnlyList<string> categories, int maxTokens, int padId, string source)
    {
        _examples = examples;
        Categories = categories;
        MaxTokens = maxTokens;
        PadId = padId;
        Source = source;
    }

    public int Count => _examples.Length;
    public IReadOnlyList<string> Categories { get; }

    /// <summary>Inputs per row (each example holds at most MaxTokens + 1 ids).</summary>
    public int MaxTokens { get; }

    /// <summary>Input id of padding positions (the end-of-text id; their targets are ignored).</summary>
    public int PadId { get; }
    public string Source { get; }

    public InstructExample this[int index] => _examples[index];

    public static TokenizedInstructSet Encode(InstructDataset data, ITokenizer tokenizer, int maxTokens) =>
        new(data.Records.Select((r, i) => InstructExample.Encode(r, tokenizer, maxTokens, data.CategoryOf[i])).ToArray(),
            data.Categories, maxTokens, tokenizer.EosId, data.Source);

    public TokenizedInstructSet Subset(IReadOnlyList<int> indices, string source) =>
        new(indices.Select(i => _examples[i]).ToArray(), Categories, MaxTokens, PadId, source);

    /// <summary>Indices (into Categories) of the categories this set's examples belong to, ascending.</summary>
    public int[] CategoriesHeld() => _examples.Select(e => e.Category).Distinct().Order().ToArray();

    /// <summary>Scored targets over the whole set (response ids and EOS).</summary>
    public long ResponseTokens => _examples.Sum(e => (long)e.ResponseLength);
}
