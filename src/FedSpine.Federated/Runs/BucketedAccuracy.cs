// Classification accuracy with examples grouped by length: each group of lengths (in steps of 8 tokens) runs on a graph
// just long enough for it, so short examples are not padded to the longest. Causal attention makes every real position's
// result independent of the padding after it, so the predictions are those of one full-length graph.
using FedSpine.Model;
using FedSpine.Model.Tasks;
using FedSpine.Model.Training;

namespace FedSpine.Federated.Runs;

public static class BucketedAccuracy
{
    public const int LengthStep = 8;

    /// <summary>Accuracy of model + head on test (rows per batch: batch; at most tokens per row), writing per example whether
    /// it was classified right into correct (length test.Count, or empty).</summary>
    public static double Evaluate(LlamaWeights model, ClassificationHead head, TokenizedClassificationSet test, int batch, int tokens, Span<bool> correct)
    {
        if (!correct.IsEmpty && correct.Length != test.Count)
        {
            throw new ArgumentException($"correct has {correct.Length} entries for {test.Count} examples");
        }
        var buckets = Enumerable.Range(0, test.Count)
            .GroupBy(i => Math.Min(tokens, (Math.Min(test.Ids(i).Length, tokens) + LengthStep - 1) / LengthStep * LengthStep))
            .OrderBy(g => g.Key);
        long right = 0;
        foreach (var bucket in buckets)
        {
            int[] indices = bucket.ToArray();
            var subset = test.Subset(indices, test.Source);
            using var graph = new TrainingGraph(model, null, null, null, Math.Min(batch, indices.Length), bucket.Key);
            var subsetCorrect = new bool[indices.Length];
            new ClassificationTask(head, subset, subset).Evaluate(graph, subsetCorrect);
            for (int k = 0; k < indices.Length; k++)
            {
                right += subsetCorrect[k] ? 1 : 0;
                if (!correct.IsEmpty)
                {
                    correct[indices[k]] = subsetCorrect[k];
                }
            }
        }
        return test.Count == 0 ? double.NaN : (double)right / test.Count;
    }
}
