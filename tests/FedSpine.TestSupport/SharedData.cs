// Locates ../shared (models, tokenizers, texts) beside the repository root, and marks tests that need it:
// [SharedDataFact]/[SharedDataTheory] skip with a clear message where that folder is absent.
using System.Runtime.CompilerServices;
using Xunit;

namespace FedSpine.TestSupport;

public static class SharedData
{
    public const string MissingMessage =
        "../shared (beside the folder holding FedSpine.slnx) was not found: this test reads its models, tokenizers or texts";

    /// <summary>The shared folder, or null when it is absent.</summary>
    public static string? Folder => LazyFolder.Value;

    private static readonly Lazy<string?> LazyFolder = new(Locate);

    /// <summary>A file under the shared folder, e.g. "models/stories260K/tok512.bin".</summary>
    public static string File(string relative) =>
        Path.Combine(Folder ?? throw new InvalidOperationException(MissingMessage), relative);

    public static string Stories260K => File("models/stories260K/stories260K.bin");
    public static string Tok512 => File("models/stories260K/tok512.bin");
    public static string Llama32k => File("data/tokenizers/llama2-32k/tokenizer.bin");

    /// <summary>Non-empty paragraphs (blank-line separated, line breaks kept) of an Austen novel, e.g. "emma".</summary>
    public static IReadOnlyList<string> AustenParagraphs(string novel) =>
        System.IO.File.ReadAllText(File($"data/austen/{novel}.txt")).ReplaceLineEndings("\n")
            .Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Non-empty lines of an Austen novel.</summary>
    public static IReadOnlyList<string> AustenLines(string novel) =>
        System.IO.File.ReadLines(File($"data/austen/{novel}.txt")).Where(l => l.Length > 0).ToList();

    /// <summary>The repository root (the folder holding FedSpine.slnx), or null when it cannot be found.</summary>
    public static string? RepoRoot { get; } = LocateRepoRoot();

    private static string? Locate()
    {
        if (RepoRoot is null)
        {
            return null;
        }
        string shared = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));
        return Directory.Exists(shared) ? shared : null;
    }

    private static string? LocateRepoRoot([CallerFilePath] string sourceFile = "")
    {
        // The build output normally sits under the repository; a private --artifacts-path does not, so the
        // source location (and the working directory) are tried as well.
        foreach (string start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "", Environment.CurrentDirectory })
        {
            for (var dir = start.Length > 0 ? new DirectoryInfo(start) : null; dir is not null; dir = dir.Parent)
            {
                if (System.IO.File.Exists(Path.Combine(dir.FullName, "FedSpine.slnx")))
                {
                    return dir.FullName;
                }
            }
        }
        return null;
    }
}

public sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (SharedData.Folder is null)
        {
            Skip = SharedData.MissingMessage;
        }
    }
}

public sealed class SharedDataTheoryAttribute : TheoryAttribute
{
    public SharedDataTheoryAttribute()
    {
        if (SharedData.Folder is null)
        {
            Skip = SharedData.MissingMessage;
        }
    }
}
