// One tokenized instruct record: ids = BOS + prompt + response + EOS, cut to fit a row (InstructTruncation), and where the
// response starts. Targets score only the response and EOS: target j (predicting ids[j+1]) is −1 while ids[j+1] is prompt.
using FedSpine.Model.Tokenizers;
using FedSpine.Tensors;

namespace FedSpine.Model.Tasks;

public sealed class InstructExample
{
    private readonly int[] _ids;   // [length ≤ tokens+1]: BOS, prompt, response, EOS (after truncation)

    public InstructExample(int[] ids, int promptLength, int category)
    {
        if (promptLength < 1 || promptLength >= ids.Length)
        {
            throw new ArgumentException($"prompt length {promptLength} must leave at least one response id of {ids.Length}");
        }
        _ids = ids;
        PromptLength = promptLength;
        Category = category;
    }

    public ReadOnlySpan<int> Ids => _ids;

    /// <summary>Ids of BOS and the prompt; ids from here on are the response (and EOS).</summary>
    public int PromptLength { get; }

    /// <summary>Index of the record's category in its dataset's category list.</summary>
    public int Category { get; }

    /// <summary>Scored targets: response ids plus EOS (when it survived truncation).</summary>
    public int ResponseLength => _ids.Length - PromptLength;

    /// <summary>Tokenizes a record with the template and cuts it to at most tokens+1 ids (a row of tokens inputs).</summary>
    public static InstructExample Encode(InstructRecord record, ITokenizer tokenizer, int tokens, int category)
    {
        int[] prompt = tokenizer.Encode(InstructTemplate.Prompt(record.Instruction, record.Context), bos: true, eos: false);
        int[] response = tokenizer.Encode(record.Response.Trim(), bos: false, eos: true);
        var (ids, promptLength) = InstructTruncation.Fit(prompt, response, tokens + 1);
        return new InstructExample(ids, promptLength, category);
    }

    /// <summary>Writes the example into one row: inputs [tokens] (ids[0..], padded with EOS) and targets [tokens]
    /// (next id where it is response or EOS, else −1; −1 on padding).</summary>
    public void Fill(Span<int> inputs, Span<int> targets, int padId)
    {
        if (inputs.Length != targets.Length || inputs.Length + 1 < _ids.Length)
        {
            throw new ArgumentException($"a row of {inputs.Length} inputs cannot hold {_ids.Length} ids");
        }
        inputs.Fill(padId);
        targets.Fill(CrossEntropy.IgnoreIndex);
        int n = _ids.Length;
        _ids.AsSpan(0, n - 1).CopyTo(inputs);
        for (int j = PromptLength - 1; j < n - 1; j++)
        {
            targets[j] = _ids[j + 1];
        }
    }
}
