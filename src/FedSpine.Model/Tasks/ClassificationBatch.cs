// One padded block of classification rows for a TrainingGraph of the same [batch, tokens]: token ids right-padded,
// each row's real length, and its class (−1 marks a filler row when fewer examples than rows remain).
namespace FedSpine.Model.Tasks;

public sealed class ClassificationBatch
{
    public const int FillerLabel = -1;

    public ClassificationBatch(int batch, int tokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        Batch = batch;
        Tokens = tokens;
        Inputs = new int[batch * tokens];
        Lengths = new int[batch];
        Labels = new int[batch];
    }

    public int Batch { get; }
    public int Tokens { get; }
    public int[] Inputs { get; }    // [batch·tokens]
    public int[] Lengths { get; }   // [batch]: real tokens at the start of each row, 1..tokens
    public int[] Labels { get; }    // [batch]: class, or FillerLabel
    /// <summary>Rows holding examples (the first Rows rows); the rest are fillers.</summary>
    public int Rows { get; private set; }

    /// <summary>Rows from set's examples at indices (at most Batch of them), each cut to Tokens ids and padded with
    /// set.PadId; remaining rows become fillers (one pad token, label −1).</summary>
    public void Fill(TokenizedClassificationSet set, ReadOnlySpan<int> indices)
    {
        if (indices.Length > Batch)
        {
            throw new ArgumentException($"{indices.Length} examples for a batch of {Batch} rows");
        }
        Array.Fill(Inputs, set.PadId);
        for (int r = 0; r < Batch; r++)
        {
            if (r < indices.Length)
            {
                var ids = set.Ids(indices[r]);
                int length = Math.Min(ids.Length, Tokens);
                ids[..length].CopyTo(Inputs.AsSpan(r * Tokens, length));
                Lengths[r] = length;
                Labels[r] = set.Label(indices[r]);
            }
            else
            {
                Lengths[r] = 1;
                Labels[r] = FillerLabel;
            }
        }
        Rows = indices.Length;
    }
}
