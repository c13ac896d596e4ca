// VADER's movie-review snippets (tab-separated id, mean human sentiment in [-4, 4], text) as binary sentiment:
// negative scores are class 0, positive class 1, neutral (0) snippets dropped; a fixed seeded stratified 80/20 split.
using System.Globalization;

namespace FedSpine.Model.Tasks;

public static class VaderSentiment
{
    /// <summary>Class names: index 0 negative, 1 positive.</summary>
    public static readonly IReadOnlyList<string> Labels = ["negative", "positive"];

    /// <summary>Share of each class that goes to the test split.</summary>
    public const double TestFraction = 0.2;

    /// <summary>Every snippet with a non-zero score, in file order.</summary>
    public static TextClassificationDataset Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"VADER data not found: '{path}' (expected movieReviewSnippets_GroundTruth.txt)");
        }
        var examples = new List<TextExample>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            string[] parts = line.Split('\t', 3);
            if (parts.Length != 3)
            {
                throw new InvalidDataException($"{path}:{lineNumber}: {parts.Length} tab-separated fields; expected id, sentiment, text");
            }
            if (!double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double score) || !(Math.Abs(score) <= 4))
            {
                throw new InvalidDataException($"{path}:{lineNumber}: sentiment '{parts[1]}' is not a number in [-4, 4]");
            }
            if (score != 0)
            {
                examples.Add(new TextExample(parts[2], score > 0 ? 1 : 0));
            }
        }
        return new TextClassificationDataset(examples, Labels, path);
    }

    /// <summary>The fixed split for a seed: TextClassificationDataset.Split(TestFraction, seed) of Read(path); the same
    /// seed gives the same split on every machine.</summary>
    public static (TextClassificationDataset Train, TextClassificationDataset Test) Load(string path, ulong seed) =>
        Read(path).Split(TestFraction, seed);
}
