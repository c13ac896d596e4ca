// Resolves the text inputs a command names (files, folders of .txt files, or a comma-separated list) to a file list
// in a stable order, failing with one clear message for a missing file or an empty folder.
namespace FedSpine.Cli.Infrastructure;

internal static class TextInputs
{
    /// <summary>The files named, with each folder replaced by its .txt files (ordinal order); commas separate names too.</summary>
    public static List<string> Files(IEnumerable<string> inputs)
    {
        var files = new List<string>();
        foreach (string input in inputs.SelectMany(i => i.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (Directory.Exists(input))
            {
                var texts = Directory.GetFiles(input, "*.txt").Order(StringComparer.Ordinal).ToList();
                files.AddRange(texts.Count > 0 ? texts : throw new ArgumentException($"{input}: no .txt files in this folder"));
            }
            else
            {
                files.Add(File.Exists(input) ? input : throw new FileNotFoundException($"text file not found: '{input}'"));
            }
        }
        return files;
    }
}
