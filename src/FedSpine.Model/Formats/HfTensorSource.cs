// The tensors of an HF model folder, from model.safetensors or from the shards a model.safetensors.index.json names.
// Knows which file holds each tensor so errors name it; checks that the index and the shards agree.
namespace FedSpine.Model.Formats;

internal sealed class HfTensorSource : IDisposable
{
    public const string SingleFileName = "model.safetensors";

    private readonly List<SafeTensorsFile> _files;
    private readonly Dictionary<string, (SafeTensorsFile File, SafeTensorEntry Entry)> _byName;

    private HfTensorSource(string description, List<SafeTensorsFile> files, Dictionary<string, (SafeTensorsFile, SafeTensorEntry)> byName)
    {
        Description = description;
        _files = files;
        _byName = byName;
    }

    /// <summary>The file that lists the tensors (model.safetensors or the index), for messages about missing tensors.</summary>
    public string Description { get; }

    public IEnumerable<string> Names => _byName.Keys;

    public static HfTensorSource Open(string folder)
    {
        string single = Path.Combine(folder, SingleFileName);
        string index = Path.Combine(folder, SafeTensorsIndex.FileName);
        var files = new List<SafeTensorsFile>();
        var byName = new Dictionary<string, (SafeTensorsFile, SafeTensorEntry)>(StringComparer.Ordinal);
        try
        {
            if (File.Exists(single))
            {
                var file = SafeTensorsFile.Open(single);
                files.Add(file);
                foreach (var entry in file.Entries)
                {
                    byName.Add(entry.Name, (file, entry));
                }
                return new HfTensorSource(single, files, byName);
            }
            if (!File.Exists(index))
            {
                throw new FileNotFoundException($"{folder}: neither {SingleFileName} nor {SafeTensorsIndex.FileName} found", single);
            }
            var shards = new Dictionary<string, SafeTensorsFile>(StringComparer.Ordinal);
            foreach (var (name, shardName) in SafeTensorsIndex.Read(index))
            {
                if (!shards.TryGetValue(shardName, out var shard))
                {
                    string shardPath = Path.Combine(folder, shardName);
                    if (!File.Exists(shardPath))
                    {
                        throw new InvalidDataException($"{index}: shard '{shardName}' of tensor '{name}' does not exist");
                    }
                    shard = SafeTensorsFile.Open(shardPath);
                    files.Add(shard);
                    shards.Add(shardName, shard);
                }
                var entry = shard.Find(name) ?? throw new InvalidDataException($"{shard.Path}: tensor '{name}' listed in {index} is not in this shard");
                byName.Add(name, (shard, entry));
            }
            return new HfTensorSource(index, files, byName);
        }
        catch
        {
            files.ForEach(f => f.Dispose());
            throw;
        }
    }

    public SafeTensorEntry? Find(string name) => _byName.TryGetValue(name, out var hit) ? hit.Entry : null;

    /// <summary>The file holding a tensor, or the listing file when the tensor is absent.</summary>
    public string FileOf(string name) => _byName.TryGetValue(name, out var hit) ? hit.File.Path : Description;

    public void ReadInto(string name, Span<float> destination)
    {
        var (file, entry) = _byName[name];
        file.ReadInto(entry, destination);
    }

    public void Dispose() => _files.ForEach(f => f.Dispose());
}
