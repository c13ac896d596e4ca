// Labelled texts for classification with a stable list of class names (label i is Labels[i]), read from JSONL, CSV or
// TSV; seeded stratified train/test splits that depend only on the seed, the labels and the file order.
using System.Globalization;
using FedSpine.Tensors;

namespace FedSpine.Model.Tasks;

/// <summary>One labelled text; Label indexes the dataset's Labels. Group names the example's natural source (a mailbox,
/// an author, a user), when the file gives one; federated partitioning can keep each group on one device.</summary>
public sealed record TextExample(string Text, int Label, string? Group = null);

public sealed class TextClassificationDataset
{
    public TextClassificationDataset(IReadOnlyList<TextExample> examples, IReadOnlyList<string> labels, string source)
    {
        if (labels.Count < 2)
        {
            throw new ArgumentException($"{source}: {labels.Count} class(es); classification needs at least 2");
        }
        foreach (var e in examples)
        {
            if ((uint)e.Label >= (uint)labels.Count)
            {
                throw new ArgumentException($"{source}: label {e.Label} outside the {labels.Count} classes");
            }
        }
        Examples = examples;
        Labels = labels;
        Source = source;
    }

    public IReadOnlyList<TextExample> Examples { get; }

    /// <summary>Class names in class-index order.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Where the examples came from (a path, or a path and a split name).</summary>
    public string Source { get; }

    public int Count => Examples.Count;
    public int ClassCount => Labels.Count;

    /// <summary>Examples per class: [classes].</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (var e in Examples)
        {
            counts[e.Label]++;
        }
        return counts;
    }

    /// <summary>Reads a .jsonl/.ndjson, .csv (RFC-4180 quoting) or .tsv/.tab (no quoting) file. Class names: the given
    /// list (a test set reusing its training set's Labels), else 0..max when every label is a non-negative integer,
    /// else the distinct labels in ordinal order. A groupColumn field/column, when present, fills each example's Group.</summary>
    public static TextClassificationDataset Load(string path, IReadOnlyList<string>? labels = null, string textColumn = "text", string labelColumn = "label",
        string groupColumn = "group")
    {
        var rows = ClassificationFileReader.Read(path, textColumn, labelColumn, groupColumn).ToList();
        if (rows.Count == 0)
        {
            throw new InvalidDataException($"{path}: no examples");
        }
        var names = labels ?? InferLabels(rows.Select(r => r.Label));
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
        {
            index.TryAdd(names[i], i);
        }
        var examples = new List<TextExample>(rows.Count);
        foreach (var (line, text, label, group) in rows)
        {
            if (!index.TryGetValue(label, out int id))
            {
                throw new InvalidDataException($"{path}:{line}: label '{label}' is not one of the classes ({string.Join(", ", names)})");
            }
            examples.Add(new TextExample(text, id, group));
        }
        return new TextClassificationDataset(examples, names, path);
    }

    /// <summary>Stratified split: one seeded shuffle of all examples (Fisher-Yates on FedSpine.Tensors.Rng); walking it,
    /// the first round(testFraction·n_c) examples of each class c go to Test, the rest to Train. Both keep the shuffled
    /// order, so Take(n) of either is a random subset.</summary>
    public (TextClassificationDataset Train, TextClassificationDataset Test) Split(double testFraction, ulong seed)
    {
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), $"test fraction {testFraction} must lie strictly between 0 and 1");
        }
        var rng = new Rng(seed);
        var order = Enumerable.Range(0, Count).ToArray();
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var testLeft = ClassCounts().Select(n => (int)Math.Round(n * testFraction, MidpointRounding.AwayFromZero)).ToArray();
        var train = new List<TextExample>();
        var test = new List<TextExample>();
        foreach (int i in order)
        {
            var e = Examples[i];
            if (testLeft[e.Label] > 0)
            {
                testLeft[e.Label]--;
                test.Add(e);
            }
            else
            {
                train.Add(e);
            }
        }
        string tag = string.Create(CultureInfo.InvariantCulture, $"seed {seed}");
        return (new TextClassificationDataset(train, Labels, $"{Source} (train, {tag})"),
                new TextClassificationDataset(test, Labels, $"{Source} (test, {tag})"));
    }

    /// <summary>The first count examples (all when fewer), same classes.</summary>
    public TextClassificationDataset Take(int count) =>
        new(Examples.Take(count).ToList(), Labels, count >= Count ? Source : string.Create(CultureInfo.InvariantCulture, $"{Source} (first {count})"));

    private static List<string> InferLabels(IEnumerable<string> raw)
    {
        var distinct = raw.Distinct(StringComparer.Ordinal).ToList();
        var values = new List<int>();
        foreach (string s in distinct)
        {
            if (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v))
            {
                distinct.Sort(StringComparer.Ordinal);
                return distinct;
            }
            values.Add(v);
        }
        return Enumerable.Range(0, Math.Max(values.Max() + 1, 2)).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToList();
    }
}
