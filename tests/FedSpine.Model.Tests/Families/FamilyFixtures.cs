// The scaled-down family checkpoints of tests/fixtures/hf-families (made by tests/reference/make_family_fixtures.py):
// each folder's config.json, model.safetensors and golden.safetensors (input_ids [1, T], float64 logits [T, vocab]).
using FedSpine.Model.Formats;

namespace FedSpine.Model.Tests.Families;

public static class FamilyFixtures
{
    public static readonly string[] Names =
        ["tinyllama", "smollm2", "llama32", "llama32-instruct", "qwen25", "mistral", "llama-linear", "llama-dynamic"];

    public static TheoryData<string> All => new(Names);

    public static string Folder(string name) =>
        Path.Combine(SharedData.RepoRoot ?? throw new InvalidOperationException("repository root (FedSpine.slnx) not found"),
            "tests", "fixtures", "hf-families", name);

    /// <summary>The prompt ids and golden logits [T·vocab] of a family.</summary>
    public static (int[] Ids, float[] Logits) Golden(string name)
    {
        using var file = SafeTensorsFile.Open(Path.Combine(Folder(name), "golden.safetensors"));
        int[] ids = file.Read("input_ids").Span.ToArray().Select(v => (int)v).ToArray();
        return (ids, file.Read("logits").Span.ToArray());
    }

    /// <summary>A temporary copy of a fixture folder whose config.json is edited by <paramref name="edit"/>.</summary>
    public static TempCopy CopyWithConfig(string name, Action<System.Text.Json.Nodes.JsonObject> edit)
    {
        var copy = new TempCopy();
        foreach (string file in Directory.GetFiles(Folder(name)))
        {
            File.Copy(file, Path.Combine(copy.Path, System.IO.Path.GetFileName(file)));
        }
        string config = System.IO.Path.Combine(copy.Path, "config.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        edit(json);
        File.WriteAllText(config, json.ToJsonString());
        return copy;
    }

    /// <summary>max |a − b| over two equally long arrays.</summary>
    public static float MaxError(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        float max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            max = MathF.Max(max, MathF.Abs(expected[i] - actual[i]));
        }
        return max;
    }
}

public sealed class TempCopy : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("fedspine-family-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
