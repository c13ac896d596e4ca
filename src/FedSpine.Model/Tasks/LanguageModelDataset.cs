// A token stream for causal-LM fine-tuning and perplexity: plain text files tokenized (BOS + text per file) and
// concatenated; rows are windows of tokens+1 ids, split into inputs [batch·tokens] and next-token targets [batch·tokens].
using System.Globalization;
using FedSpine.Model.Tokenizers;
using FedSpine.Tensors;

namespace FedSpine.Model.Tasks;

public sealed class LanguageModelDataset
{
    private readonly int[] _tokens;

    public LanguageModelDataset(int[] tokens, string source)
    {
        if (tokens.Length < 2)
        {
            throw new ArgumentException($"{source}: {tokens.Length} token(s); language modelling needs at least 2");
        }
        _tokens = tokens;
        Source = source;
    }

    public ReadOnlySpan<int> Tokens => _tokens;
    public int Count => _tokens.Length;
    public string Source { get; }

    /// <summary>Each file read as UTF-8 text and tokenized as BOS + text, in the given order.</summary>
    public static LanguageModelDataset FromFiles(IReadOnlyList<string> paths, ITokenizer tokenizer)
    {
        if (paths.Count == 0)
        {
            throw new ArgumentException("no text files given");
        }
        var tokens = new List<int>();
        foreach (string path in paths)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"text file not found: '{path}'");
            }
            tokens.AddRange(tokenizer.Encode(File.ReadAllText(path), bos: true, eos: false));
        }
        return new LanguageModelDataset(tokens.ToArray(), string.Join(", ", paths));
    }

    /// <summary>The first (1 − heldOutFraction) of the stream for training, the rest held out (no shuffling, so no
    /// window of one part overlaps the other).</summary>
    public (LanguageModelDataset Train, LanguageModelDataset HeldOut) SplitTail(double heldOutFraction)
    {
        if (!(heldOutFraction > 0 && heldOutFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(heldOutFraction), $"held-out fraction {heldOutFraction} must lie strictly between 0 and 1");
        }
        int cut = (int)Math.Round(Count * (1 - heldOutFraction));
        string percent = (heldOutFraction * 100).ToString("G3", CultureInfo.InvariantCulture);
        return (new LanguageModelDataset(_tokens[..cut], $"{Source} (training part)"),
                new LanguageModelDataset(_tokens[cut..], $"{Source} (held-out last {percent}%)"));
    }

    /// <summary>Non-overlapping windows of tokens+1 ids (consecutive windows share one id, so every target is scored once).</summary>
    public int WindowCount(int tokens) => (Count - 1) / tokens;

    /// <summary>batch windows starting at uniform random positions.</summary>
    public void RandomWindows(Rng rng, int batch, int tokens, Span<int> inputs, Span<int> targets)
    {
        CheckRows(batch, tokens, inputs, targets);
        if (Count < tokens + 1)
        {
            throw new ArgumentException($"{Source}: {Count} tokens, fewer than one window of {tokens + 1}");
        }
        for (int r = 0; r < batch; r++)
        {
            CopyWindow(rng.NextInt(Count - tokens), r, tokens, inputs, targets);
        }
    }

    /// <summary>Windows firstWindow, firstWindow+1, ... (window w starts at w·tokens) into the rows, up to the last
    /// window or windowLimit; rows past that get input 0 and target −1 (ignored). Returns the rows filled with windows.</summary>
    public int SequentialWindows(int firstWindow, int batch, int tokens, Span<int> inputs, Span<int> targets, int windowLimit = int.MaxValue)
    {
        CheckRows(batch, tokens, inputs, targets);
        int rows = Math.Clamp(Math.Min(WindowCount(tokens), windowLimit) - firstWindow, 0, batch);
        for (int r = 0; r < rows; r++)
        {
            CopyWindow((firstWindow + r) * tokens, r, tokens, inputs, targets);
        }
        inputs[(rows * tokens)..].Clear();
        targets[(rows * tokens)..].Fill(CrossEntropy.IgnoreIndex);
        return rows;
    }

    private void CopyWindow(int start, int row, int tokens, Span<int> inputs, Span<int> targets)
    {
        _tokens.AsSpan(start, tokens).CopyTo(inputs.Slice(row * tokens, tokens));
        _tokens.AsSpan(start + 1, tokens).CopyTo(targets.Slice(row * tokens, tokens));
    }

    private static void CheckRows(int batch, int tokens, Span<int> inputs, Span<int> targets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        if (inputs.Length != batch * tokens || targets.Length != batch * tokens)
        {
            throw new ArgumentException($"inputs and targets must each hold [{batch}·{tokens}] ids; got {inputs.Length} and {targets.Length}");
        }
    }
}
