// Instruction records with their categories (sorted ordinally; a record's category is an index into them), loaded from
// Dolly or Alpaca JSONL, and the fixed seeded train/test split stratified by category.
using FedSpine.Tensors;

namespace FedSpine.Model.Tasks;

public sealed class InstructDataset
{
    /// <summary>Seed of the instruct task's fixed train/test split (every run and method sees the same split).</summary>
    public const ulong SplitSeed = 13;

    /// <summary>Share of every category held out as the global test set.</summary>
    public const double TestFraction = 0.1;

    public InstructDataset(IReadOnlyList<InstructRecord> records, string source, IReadOnlyList<string>? categories = null)
    {
        Records = records;
        Source = source;
        Categories = categories ?? records.Select(r => r.Category).Distinct().Order(StringComparer.Ordinal).ToList();
        var index = Categories.Select((c, i) => (c, i)).ToDictionary(x => x.c, x => x.i, StringComparer.Ordinal);
        CategoryOf = records.Select(r => index.TryGetValue(r.Category, out int i) ? i
            : throw new InvalidDataException($"{source}:{r.Line}: category '{r.Category}' is not one of {string.Join(", ", Categories)}")).ToArray();
    }

    public IReadOnlyList<InstructRecord> Records { get; }
    public IReadOnlyList<string> Categories { get; }
    public string Source { get; }
    public int Count => Records.Count;

    /// <summary>Category index of each record: [Count].</summary>
    public int[] CategoryOf { get; }

    public static InstructDataset Load(string path) => new(InstructFileReader.Read(path), path);

    /// <summary>The records at the given indices, with this dataset's category list.</summary>
    public InstructDataset Subset(IReadOnlyList<int> indices, string source) => new(indices.Select(i => Records[i]).ToList(), source, Categories);

    /// <summary>Per category, a seeded shuffle of its records, the first round(n·testFraction) to test (at least one when the
    /// category has two or more records), the rest to train; both parts keep file order.</summary>
    public (InstructDataset Train, InstructDataset Test) Split(double testFraction = TestFraction, ulong seed = SplitSeed)
    {
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), $"test fraction {testFraction} must lie strictly between 0 and 1");
        }
        var rng = new Rng(seed);
        var train = new List<int>();
        var test = new List<int>();
        for (int c = 0; c < Categories.Count; c++)
        {
            int[] members = Enumerable.Range(0, Count).Where(i => CategoryOf[i] == c).ToArray();
            for (int i = members.Length - 1; i > 0; i--)
            {
                int j = rng.NextInt(i + 1);
                (members[i], members[j]) = (members[j], members[i]);
            }
            int held = (int)Math.Round(members.Length * testFraction);
            if (held == 0 && members.Length >= 2)
            {
                held = 1;
            }
            test.AddRange(members[..held]);
            train.AddRange(members[held..]);
        }
        return (Subset(train.Order().ToList(), $"{Source} (train)"), Subset(test.Order().ToList(), $"{Source} (test)"));
    }
}
