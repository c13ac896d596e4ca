// Safetensors: round trips for F32/F16/BF16 (narrowing checked against hand-computed bit patterns), metadata,
// chunked reads of tensors larger than the read buffer, and a file written by an independent writer (Python).
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using FedSpine.Model.Formats;
using FedSpine.Tensors;

namespace FedSpine.Model.Tests;

public class FormatsSafeTensorsTests
{
    [Fact]
    public void F32_round_trip_is_bitwise_and_keeps_names_shapes_order_and_metadata()
    {
        using var temp = new TempFolder();
        string path = temp.File("a.safetensors");
        var tensors = new List<KeyValuePair<string, Tensor>>
        {
            new("z.first", FormatsTestData.Seeded(1, 3, 5)),
            new("a.second", FormatsTestData.Seeded(2, 7)),
            new("scalar", new Tensor([])),
            new("empty", new Tensor(0, 4)),
        };
        tensors[2].Value.Span[0] = 42.5f;
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode ✓" };

        SafeTensorsFile.Write(path, tensors, metadata: metadata);

        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(["z.first", "a.second", "scalar", "empty"], file.Entries.Select(e => e.Name));
        Assert.Equal(metadata, file.Metadata);
        foreach (var (name, expected) in tensors)
        {
            var actual = file.Read(name);
            Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
            Assert.Equal(FormatsTestData.Bits(expected), FormatsTestData.Bits(actual));
            Assert.Equal(SafeTensorsDtype.F32, file.Find(name)!.Dtype);
        }
        Assert.False(File.Exists(path + ".partial"));
    }

    [Fact]
    public void Header_is_padded_to_eight_bytes_and_data_is_back_to_back()
    {
        using var temp = new TempFolder();
        string path = temp.File("a.safetensors");
        SafeTensorsFile.Write(path, [new("x", FormatsTestData.Seeded(3, 3)), new("y", FormatsTestData.Seeded(4, 2))], SafeTensorsDtype.F16);

        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        Assert.Equal(8 + headerLength + (3 + 2) * 2, bytes.Length);
        using var header = JsonDocument.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength).TrimEnd(' '));
        Assert.Equal("[0,6]", header.RootElement.GetProperty("x").GetProperty("data_offsets").GetRawText());
        Assert.Equal("[6,10]", header.RootElement.GetProperty("y").GetProperty("data_offsets").GetRawText());
        Assert.Equal("F16", header.RootElement.GetProperty("y").GetProperty("dtype").GetString());
    }

    public static TheoryData<uint, ushort> BFloat16Cases => new()
    {
        { 0x3F800000, 0x3F80 }, // 1.0
        { 0xC0200000, 0xC020 }, // -2.5
        { 0x3F808000, 0x3F80 }, // 1 + 2^-8: exactly halfway, ties to the even 0x3F80
        { 0x3F818000, 0x3F82 }, // 1 + 3*2^-8: exactly halfway, ties to the even 0x3F82
        { 0x3F808001, 0x3F81 }, // just above halfway rounds up
        { 0x3F807FFF, 0x3F80 }, // just below halfway rounds down
        { 0x7F7FFFFF, 0x7F80 }, // float.MaxValue rounds to +infinity
        { 0x80000000, 0x8000 }, // -0
        { 0x7F800001, 0x7FC0 }, // signalling NaN with a low payload stays NaN (quiet)
    };

    [Theory]
    [MemberData(nameof(BFloat16Cases))]
    public void BFloat16_rounds_to_nearest_even(uint floatBits, ushort expected)
    {
        Assert.Equal(expected, FloatEncoding.SingleToBFloat16(BitConverter.UInt32BitsToSingle(floatBits)));
    }

    public static TheoryData<uint, ushort> HalfCases => new()
    {
        { 0x3F800000, 0x3C00 }, // 1.0
        { 0x3F801000, 0x3C00 }, // 1 + 2^-11: halfway, ties to the even 0x3C00
        { 0x3F803000, 0x3C02 }, // 1 + 3*2^-11: halfway, ties to the even 0x3C02
        { 0x477FE000, 0x7BFF }, // 65504, the largest half
        { 0x477FF000, 0x7C00 }, // 65520: halfway to 65536, ties to even = +infinity
        { 0x33800000, 0x0001 }, // 2^-24, the smallest subnormal
        { 0x33000000, 0x0000 }, // 2^-25: halfway between 0 and 2^-24, ties to 0
        { 0x33C00000, 0x0002 }, // 3*2^-25: halfway between 1 and 2 subnormal steps, ties to 2
        { 0x80000000, 0x8000 }, // -0
    };

    [Theory]
    [MemberData(nameof(HalfCases))]
    public void Half_rounds_to_nearest_even(uint floatBits, ushort expected)
    {
        Assert.Equal(expected, FloatEncoding.SingleToHalf(BitConverter.UInt32BitsToSingle(floatBits)));
    }

    [Theory]
    [InlineData(SafeTensorsDtype.F16)]
    [InlineData(SafeTensorsDtype.BF16)]
    public void Narrow_round_trip_stores_the_rounded_bit_patterns(SafeTensorsDtype dtype)
    {
        var cases = dtype == SafeTensorsDtype.F16 ? HalfCases : BFloat16Cases;
        var values = cases.Select(c => BitConverter.UInt32BitsToSingle((uint)c[0])).ToArray();
        var expected = cases.Select(c => (ushort)c[1]).ToArray();
        var tensor = new Tensor(values.Length);
        values.CopyTo(tensor.Span);
        using var temp = new TempFolder();
        string path = temp.File("n.safetensors");

        SafeTensorsFile.Write(path, [new("t", tensor)], dtype);

        byte[] bytes = File.ReadAllBytes(path);
        int dataStart = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        var stored = Enumerable.Range(0, values.Length).Select(i => BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(dataStart + 2 * i))).ToArray();
        Assert.Equal(expected, stored);
        using var file = SafeTensorsFile.Open(path);
        Assert.Equal(dtype, file.Entries[0].Dtype);
        var read = file.Read("t").Span.ToArray();
        var widened = expected.Select(b => dtype == SafeTensorsDtype.F16 ? FloatEncoding.HalfToSingle(b) : FloatEncoding.BFloat16ToSingle(b)).ToArray();
        Assert.Equal(widened.Select(BitConverter.SingleToInt32Bits), read.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData(SafeTensorsDtype.F32)]
    [InlineData(SafeTensorsDtype.F16)]
    [InlineData(SafeTensorsDtype.BF16)]
    public void Tensors_larger_than_one_read_chunk_round_trip(SafeTensorsDtype dtype)
    {
        var big = FormatsTestData.Seeded(9, 700, 1000); // 2.8 MB as F32: several 1 MiB chunks in every dtype
        using var temp = new TempFolder();
        string path = temp.File("big.safetensors");

        SafeTensorsFile.Write(path, [new("small", FormatsTestData.Seeded(8, 5)), new("big", big)], dtype);

        using var file = SafeTensorsFile.Open(path);
        var read = file.Read("big").Span;
        var source = big.Span;
        for (int i = 0; i < source.Length; i++)
        {
            float expected = dtype switch
            {
                SafeTensorsDtype.F16 => FloatEncoding.HalfToSingle(FloatEncoding.SingleToHalf(source[i])),
                SafeTensorsDtype.BF16 => FloatEncoding.BFloat16ToSingle(FloatEncoding.SingleToBFloat16(source[i])),
                _ => source[i],
            };
            Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(read[i]));
        }
    }

    [Fact]
    public void Reads_a_file_written_by_an_independent_python_writer()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Reference", "torch_llama_tiny.safetensors");
        string source = Path.Combine(SourceFolder(), "Reference", "torch_llama_tiny.safetensors");
        using var file = SafeTensorsFile.Open(File.Exists(path) ? path : source);

        Assert.Contains("\"hidden_size\": 48", file.Metadata["config"], StringComparison.Ordinal);
        var embed = file.Find("model.embed_tokens.weight")!;
        Assert.Equal([67, 48], embed.Shape);
        var q = file.Read("model.layers.0.self_attn.q_proj.weight");
        Assert.Equal([48, 48], q.Shape.ToArray());
        byte[] raw = File.ReadAllBytes(file.Path);
        long dataStart = 8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(raw);
        long begin = dataStart + file.Find("model.layers.0.self_attn.q_proj.weight")!.Begin;
        Assert.Equal(BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan((int)begin)), q.Span[0]);
        Assert.Equal(BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan((int)begin + 4 * (q.Length - 1))), q.Span[^1]);
    }

    [Fact]
    public void Write_rejects_duplicate_names()
    {
        using var temp = new TempFolder();
        var e = Assert.Throws<ArgumentException>(() =>
            SafeTensorsFile.Write(temp.File("d.safetensors"), [new("x", new Tensor(2)), new("x", new Tensor(3))]));
        Assert.Contains("'x'", e.Message, StringComparison.Ordinal);
    }

    private static string SourceFolder([System.Runtime.CompilerServices.CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;
}
