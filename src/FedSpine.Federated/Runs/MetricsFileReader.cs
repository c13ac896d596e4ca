// Reads a run's metrics.jsonl, or its gzip-compacted copy metrics.jsonl.gz (experiments/compact-runs.sh), line by line.
// A run's device-round records are the same whichever form the file was kept in.
using System.IO.Compression;

namespace FedSpine.Federated.Runs;

public static class MetricsFileReader
{
    public const string CompactedSuffix = ".gz";

    /// <summary>True when the metrics file or its compacted copy exists.</summary>
    public static bool Exists(string path) => File.Exists(path) || File.Exists(path + CompactedSuffix);

    /// <summary>The lines of the metrics file, or of its compacted copy when only that was kept.</summary>
    public static IEnumerable<string> ReadLines(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadLines(path);
        }
        return ReadCompacted(path + CompactedSuffix);
    }

    private static IEnumerable<string> ReadCompacted(string path)
    {
        using var file = File.OpenRead(path);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        while (reader.ReadLine() is { } line)
        {
            yield return line;
        }
    }
}
