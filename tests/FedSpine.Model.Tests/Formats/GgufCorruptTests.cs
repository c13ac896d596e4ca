// Corrupt GGUF input: truncation, bad magic or version, absurd counts and lengths, bad dims, types, offsets and alignment,
// and llama files whose metadata and tensors disagree. Every case is an InvalidDataException naming the file and the problem.
using System.Buffers.Binary;
using FedSpine.Model.Formats;
using FedSpine.Tensors;

namespace FedSpine.Model.Tests.Formats;

public class GgufCorruptTests
{
    /// <summary>name: (file bytes, a phrase the message must contain). Byte positions refer to the layouts built below.</summary>
    private static readonly Dictionary<string, (byte[] Bytes, string Expected)> Cases = new()
    {
        ["empty file"] = ([], "truncated"),
        ["truncated header"] = (OneTensor()[..20], "truncated"),
        ["truncated in the metadata"] = (OneTensor()[..60], "truncated"),
        ["truncated in the tensor table"] = (OneTensor()[..100], "truncated"),
        ["truncated tensor data"] = (OneTensor()[..140], "needs bytes [128, 152)"),
        ["bad magic"] = (Patch(OneTensor(), 0, "GGML"u8), "bad magic"),
        ["big-endian magic"] = (Patch(OneTensor(), 0, "FUGG"u8), "bad magic"),
        ["version 1"] = (PatchU32(OneTensor(), 4, 1), "unsupported version 1"),
        ["version 4"] = (PatchU32(OneTensor(), 4, 4), "unsupported version 4"),
        ["absurd tensor count"] = (PatchU64(OneTensor(), 8, 1UL << 40), "tensor count 1099511627776 is absurd"),
        ["absurd metadata count"] = (PatchU64(OneTensor(), 16, ulong.MaxValue), "metadata key/value count 18446744073709551615 is absurd"),
        ["absurd key length"] = (PatchU64(OneTensor(), 24, 1UL << 50), "length of metadata key 0"),
        ["absurd string value length"] = (PatchU64(OneTensor(), 56, 1UL << 33), "length of metadata 'general.architecture'"),
        ["key not UTF-8"] = (Patch(OneTensor(), 32, [0xFF]), "not valid UTF-8"),
        ["unknown value type"] = (PatchU32(OneTensor(), 52, 99), "unknown value type 99"),
        ["absurd array count"] = (PatchU64(OneArray(), 41, 1UL << 40), "element count of metadata 'a'"),
        ["unknown array element type"] = (PatchU32(OneArray(), 37, 13), "unknown value type 13"),
        ["bool not 0 or 1"] = (Patch(OneBool(), 37, [7]), "bool holding 7"),
        ["duplicate key"] = (Patch(TwoKeys(), 49, "a"u8), "'a' appears twice"),
        ["alignment not a power of two"] = (PatchU32(Aligned(), 53, 24), "power of two"),
        ["zero dimensions"] = (PatchU32(OneTensor(), 78, 0), "has 0 dimensions"),
        ["five dimensions"] = (PatchU32(OneTensor(), 78, 5), "has 5 dimensions"),
        ["zero-sized dimension"] = (PatchU64(OneTensor(), 82, 0), "dimension 0 is 0"),
        ["absurd dimension"] = (PatchU64(OneTensor(), 90, 1UL << 40), "dimension 1 is 1099511627776"),
        ["quantized tensor type"] = (PatchU32(OneTensor(), 98, 2), "ggml type 2"),
        ["misaligned offset"] = (PatchU64(OneTensor(), 102, 4), "not a multiple of the alignment 32"),
        ["offset past the end"] = (PatchU64(OneTensor(), 102, 1 << 20), "truncated?"),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Corrupt_file_gives_InvalidDataException_naming_file_and_problem(string name)
    {
        var (bytes, expected) = Cases[name];
        using var temp = new TempFolder();
        string path = temp.File("corrupt.gguf");
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => GgufFile.Read(path).Dispose());

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_layouts_the_cases_patch_are_valid_as_built()
    {
        foreach (var bytes in new[] { OneTensor(), OneArray(), OneBool(), TwoKeys(), Aligned() })
        {
            using var temp = new TempFolder();
            string path = temp.File("good.gguf");
            File.WriteAllBytes(path, bytes);
            using var file = GgufFile.Read(path);
            Assert.NotEmpty(file.Metadata);
        }
        Assert.Equal(160, OneTensor().Length); // 110-byte header, padded to 128, 24 bytes of data padded to 32
    }

    public static TheoryData<string, string> LlamaCases => new()
    {
        { "architecture gpt2", "only 'llama' and 'deci' models" },
        { "no block_count", "missing metadata 'llama.block_count'" },
        { "head_count halved", "tensor 'blk.0.attn_q.weight' has dims [24, 32], the metadata needs [24, 16]" },
        { "head_count array too short", "has 1 entries for llama.block_count 2 layers" },
        { "extra tensor", "unknown tensor 'blk.0.extra.weight'" },
        { "foreign rope_freqs", "rope_freqs.weight without fedspine.rope_scaling.* keys" },
        { "missing tensor", "missing tensor 'blk.1.ffn_up.weight'" },
        { "kv heads not dividing heads", "KV heads must divide heads" },
        { "partial rope", "partial RoPE is not supported" },
    };

    [Theory]
    [MemberData(nameof(LlamaCases))]
    public void Llama_metadata_that_disagrees_with_the_tensors_is_rejected(string change, string expected)
    {
        using var temp = new TempFolder();
        string path = temp.File("model.gguf");
        GgufWriter.Save(path, FormatsTestData.SeededWeights(TinyModels.Config(tied: false)));
        Rewrite(path, change);

        var e = Assert.Throws<InvalidDataException>(() => GgufModel.Load(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    /// <summary>Rewrites a valid llama GGUF with one change to its metadata or tensor table.</summary>
    private static void Rewrite(string path, string change)
    {
        List<KeyValuePair<string, GgufValue>> metadata;
        List<GgufTensorToWrite> tensors;
        using (var file = GgufFile.Read(path))
        {
            metadata = file.Metadata.ToList();
            tensors = file.Tensors.Select(t =>
            {
                var data = new Tensor(t.Shape);
                file.ReadInto(t, data.Span);
                return new GgufTensorToWrite(t.Name, t.Shape, t.Type, () => data);
            }).ToList();
        }
        void Set(string key, GgufValue value) => metadata[metadata.FindIndex(kv => kv.Key == key)] = new(key, value);
        switch (change)
        {
            case "architecture gpt2": Set("general.architecture", GgufValue.String("gpt2")); break;
            case "no block_count": metadata.RemoveAll(kv => kv.Key == "llama.block_count"); break;
            case "head_count halved": Set("llama.attention.head_count", GgufValue.UInt32(2)); Set("llama.attention.head_count_kv", GgufValue.UInt32(1)); break;
            case "head_count array too short": Set("llama.attention.head_count", GgufValue.UInt32Array([4])); break;
            case "extra tensor": tensors.Add(new GgufTensorToWrite("blk.0.extra.weight", [4], GgmlType.F32, () => new Tensor(4))); break;
            case "foreign rope_freqs": tensors.Add(new GgufTensorToWrite("rope_freqs.weight", [4], GgmlType.F32, () => new Tensor(4))); break;
            case "missing tensor": tensors.RemoveAll(t => t.Name == "blk.1.ffn_up.weight"); break;
            case "kv heads not dividing heads": Set("llama.attention.head_count_kv", GgufValue.UInt32(3)); break;
            case "partial rope": Set("llama.rope.dimension_count", GgufValue.UInt32(4)); break;
            default: throw new ArgumentException(change);
        }
        GgufFile.Write(path, metadata, tensors);
    }

    /// <summary>Key "general.architecture" = "llama" (bytes 24..68), tensor "t" F32 [2, 3] (69..109), data at 128.</summary>
    private static byte[] OneTensor() =>
        Build([new("general.architecture", GgufValue.String("llama"))], [new GgufTensorToWrite("t", [2, 3], GgmlType.F32, () => new Tensor(2, 3))]);

    /// <summary>Key "a" (32), array type at 33, element type at 37, count at 41.</summary>
    private static byte[] OneArray() => Build([new("a", GgufValue.UInt32Array([1, 2]))], []);

    /// <summary>Key "a" (32), value type at 33, bool byte at 37.</summary>
    private static byte[] OneBool() => Build([new("a", GgufValue.Bool(true))], []);

    /// <summary>Keys "a" (byte 32) and "b" (byte 49), each a uint32.</summary>
    private static byte[] TwoKeys() => Build([new("a", GgufValue.UInt32(1)), new("b", GgufValue.UInt32(2))], []);

    /// <summary>general.alignment (17 bytes at 32), value type at 49, value at 53.</summary>
    private static byte[] Aligned() => Build([new(GgufFile.AlignmentKey, GgufValue.UInt32(32))], []);

    private static byte[] Build(List<KeyValuePair<string, GgufValue>> metadata, List<GgufTensorToWrite> tensors)
    {
        using var temp = new TempFolder();
        string path = temp.File("base.gguf");
        GgufFile.Write(path, metadata, tensors);
        return File.ReadAllBytes(path);
    }

    private static byte[] Patch(byte[] bytes, int at, ReadOnlySpan<byte> replacement)
    {
        replacement.CopyTo(bytes.AsSpan(at));
        return bytes;
    }

    private static byte[] PatchU32(byte[] bytes, int at, uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), value);
        return bytes;
    }

    private static byte[] PatchU64(byte[] bytes, int at, ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), value);
        return bytes;
    }
}
