// Corrupt safetensors input: every case must raise InvalidDataException whose message names the file and the problem.
// Each case is a small hand-built file: length prefix, header JSON and data bytes.
using System.Buffers.Binary;
using System.Text;
using FedSpine.Model.Formats;

namespace FedSpine.Model.Tests;

public class FormatsSafeTensorsCorruptTests
{
    private const string Good = """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""";

    /// <summary>name: (file bytes, a phrase the message must contain).</summary>
    private static readonly Dictionary<string, (byte[] Bytes, string Expected)> Cases = new()
    {
        ["empty file"] = ([], "truncated"),
        ["five bytes"] = ([1, 0, 0, 0, 0], "truncated"),
        ["header longer than file"] = (File(Good, 8, headerLength: 4096), "exceeds"),
        ["absurd header length"] = (File(Good, 8, headerLength: 1UL << 40), "absurdly large"),
        ["header not JSON"] = (File("{\"a\": [1, 2", 0), "not valid JSON"),
        ["header not an object"] = (File("[1,2,3]", 0), "must be a JSON object"),
        ["header not UTF-8"] = ([.. Prefix(4), 0x7B, 0xFF, 0xFE, 0x7D], "not valid JSON"),
        ["unknown dtype"] = (File("""{"a":{"dtype":"Q4_K","shape":[2],"data_offsets":[0,8]}}""", 8), "unsupported dtype 'Q4_K'"),
        ["integer dtype"] = (File("""{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}""", 8), "unsupported dtype 'I64'"),
        ["offsets past the data (truncated data)"] = (File(Good, 4), "out of range"),
        ["offsets reversed"] = (File("""{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}""", 8), "out of range"),
        ["overlapping tensors"] = (File("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12), "overlap"),
        ["size not shape times dtype"] = (File("""{"a":{"dtype":"BF16","shape":[2,2],"data_offsets":[0,16]}}""", 16), "needs 8"),
        ["duplicate names"] = (File("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8), "duplicate entry 'a'"),
        ["negative dimension"] = (File("""{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8), "not a dimension"),
        ["missing data_offsets"] = (File("""{"a":{"dtype":"F32","shape":[2]}}""", 8), "no 'data_offsets'"),
        ["missing dtype"] = (File("""{"a":{"shape":[2],"data_offsets":[0,8]}}""", 8), "no string 'dtype'"),
        ["fractional offset"] = (File("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8.5]}}""", 8), "not a non-negative integer"),
        ["metadata not strings"] = (File("""{"__metadata__":{"n":3},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8), "must be a string"),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Corrupt_input_gives_InvalidDataException_naming_file_and_problem(string name)
    {
        var (bytes, expected) = Cases[name];
        using var temp = new TempFolder();
        string path = temp.File("corrupt.safetensors");
        System.IO.File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(path).Dispose());

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_well_formed_base_case_opens()
    {
        using var temp = new TempFolder();
        string path = temp.File("good.safetensors");
        System.IO.File.WriteAllBytes(path, File(Good, 8));
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal([2], file.Read("a").Shape.ToArray());
    }

    [Fact]
    public void Reading_a_tensor_absent_from_the_file_names_file_and_tensor()
    {
        using var temp = new TempFolder();
        string path = temp.File("good.safetensors");
        System.IO.File.WriteAllBytes(path, File(Good, 8));
        using var file = SafeTensorsFile.Open(path);
        var e = Assert.Throws<InvalidDataException>(() => file.Read("b"));
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("'b'", e.Message, StringComparison.Ordinal);
    }

    private static byte[] File(string header, int dataBytes, ulong? headerLength = null)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        return [.. Prefix(headerLength ?? (ulong)json.Length), .. json, .. new byte[dataBytes]];
    }

    private static byte[] Prefix(ulong length)
    {
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, length);
        return prefix;
    }
}
