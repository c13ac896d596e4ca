// Write-to-temp-then-rename, the one way files that a reader or a resume may depend on are written: the file is either
// its old self or complete, never half written; a failed write removes its temporary file.
namespace FedSpine.Model.Formats;

public static class AtomicFile
{
    /// <summary>Writes path through write(stream) on path.partial, then renames it over path.</summary>
    public static void Write(string path, Action<Stream> write, int bufferBytes = 1 << 16)
    {
        string temporary = path + ".partial";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferBytes))
            {
                write(stream);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    public static void WriteAllText(string path, string text) =>
        Write(path, s =>
        {
            using var writer = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true);
            writer.Write(text);
        });

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    public static void WriteAllLines(string path, IEnumerable<string> lines) =>
        Write(path, s =>
        {
            using var writer = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true);
            foreach (string line in lines)
            {
                writer.Write(line);
                writer.Write('\n');
            }
        });
}
