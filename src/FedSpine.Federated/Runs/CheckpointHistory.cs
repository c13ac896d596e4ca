// The last K round checkpoints of a method beside its latest one: checkpoint-round-N.safetensors is what
// checkpoint.safetensors held after round N; `--resume DIR --from-round N` puts round N's back as the latest.
using System.Globalization;

namespace FedSpine.Federated.Runs;

public static class CheckpointHistory
{
    private const string Prefix = "checkpoint-round-";
    private const string Suffix = ".safetensors";

    public static string PathOf(string folder, int round) => Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{Prefix}{round}{Suffix}"));

    /// <summary>Rounds with a kept checkpoint in folder, ascending.</summary>
    public static IReadOnlyList<int> Rounds(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }
        var rounds = new List<int>();
        foreach (string path in Directory.EnumerateFiles(folder, Prefix + "*" + Suffix))
        {
            string name = Path.GetFileName(path);
            if (int.TryParse(name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int r))
            {
                rounds.Add(r);
            }
        }
        rounds.Sort();
        return rounds;
    }

    /// <summary>Copies the latest checkpoint (just written after round) to its round file (atomically), and deletes all
    /// but the last keep round files.</summary>
    public static void Keep(string latestPath, int round, int keep)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(latestPath))!;
        CopyAtomically(latestPath, PathOf(folder, round));
        var rounds = Rounds(folder);
        foreach (int old in rounds.Take(Math.Max(0, rounds.Count - keep)))
        {
            File.Delete(PathOf(folder, old));
        }
    }

    /// <summary>Makes round's kept checkpoint the latest (atomically) and deletes the kept ones after it, so the run
    /// continues from round + 1; a round that is not kept is an ArgumentException naming the kept ones.</summary>
    public static void RestoreRound(string latestPath, int round)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(latestPath))!;
        var rounds = Rounds(folder);
        if (!rounds.Contains(round))
        {
            string kept = rounds.Count == 0 ? "none" : string.Join(", ", rounds);
            throw new ArgumentException($"--from-round: {folder} keeps no checkpoint of round {round} (kept rounds: {kept})");
        }
        CopyAtomically(PathOf(folder, round), latestPath);
        foreach (int later in rounds.Where(r => r > round))
        {
            File.Delete(PathOf(folder, later));
        }
    }

    private static void CopyAtomically(string source, string destination)
    {
        string temporary = destination + ".partial";
        File.Copy(source, temporary, overwrite: true);
        File.Move(temporary, destination, overwrite: true);
    }
}
