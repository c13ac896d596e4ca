// Loads a llama2.c (legacy version-0) checkpoint: 7 int32 header, fp32 tensors, unused RoPE tables, optional classifier.
// Weights are mapped to HF names and q/k rows permuted from llama2.c's interleaved RoPE to HF's rotate-half layout.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using FedSpine.Tensors;

namespace FedSpine.Model.Formats;

public static class Llama2cCheckpoint
{
    private const int HeaderBytes = 7 * sizeof(int);
    private const int VersionedMagic = 0x616b3432; // "ak42": llama2.c's later export versions, not this format

    public static (LlamaConfig Config, LlamaWeights Weights) Load(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var header = new byte[HeaderBytes];
        ReadExactly(stream, path, header, HeaderBytes);
        var h = new int[7];
        for (int i = 0; i < 7; i++)
        {
            h[i] = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4 * i));
        }
        var (config, expectedBytes) = Describe(path, h);
        if (stream.Length != expectedBytes)
        {
            throw Bad(path, $"expected {expectedBytes} bytes for header [{string.Join(", ", h)}], found {stream.Length}" +
                            (stream.Length < expectedBytes ? " (file truncated)" : ""));
        }

        var weights = LlamaWeights.Allocate(config);
        var layers = weights.Layers;
        ReadFloats(stream, path, weights.TokenEmbedding);
        ReadPerLayer(stream, path, layers.Select(l => l.AttnNorm));
        ReadPerLayer(stream, path, layers.Select(l => l.Wq));
        ReadPerLayer(stream, path, layers.Select(l => l.Wk));
        ReadPerLayer(stream, path, layers.Select(l => l.Wv));
        ReadPerLayer(stream, path, layers.Select(l => l.Wo));
        ReadPerLayer(stream, path, layers.Select(l => l.FfnNorm));
        ReadPerLayer(stream, path, layers.Select(l => l.Gate));  // w1
        ReadPerLayer(stream, path, layers.Select(l => l.Down));  // w2
        ReadPerLayer(stream, path, layers.Select(l => l.Up));    // w3
        ReadFloats(stream, path, weights.FinalNorm);
        stream.Seek(2L * config.MaxPositionEmbeddings * (config.HeadDim / 2) * sizeof(float), SeekOrigin.Current); // freq_cis_real, freq_cis_imag
        if (!config.TieWordEmbeddings)
        {
            ReadFloats(stream, path, weights.LmHead);
        }
        foreach (var layer in layers)
        {
            RotaryLayout.InterleavedToHalf(layer.Wq, layer.Shape.Heads);
            RotaryLayout.InterleavedToHalf(layer.Wk, layer.Shape.KvHeads);
        }
        return (config, weights);
    }

    /// <summary>The config a header describes and the exact file size it implies; nonsensical values are rejected.</summary>
    private static (LlamaConfig Config, long Bytes) Describe(string path, int[] h)
    {
        int dim = h[0], hidden = h[1], layers = h[2], heads = h[3], kvHeads = h[4], vocab = Math.Abs(h[5]), seqLen = h[6];
        if (dim == VersionedMagic)
        {
            throw Bad(path, "starts with llama2.c's 'ak42' magic: only the legacy (version 0) export is supported, re-export with --version 0");
        }
        string header = $"header [dim {dim}, hidden_dim {hidden}, n_layers {layers}, n_heads {heads}, n_kv_heads {kvHeads}, vocab_size {h[5]}, seq_len {seqLen}]";
        bool sensible = dim > 0 && hidden > 0 && layers > 0 && heads > 0 && kvHeads > 0 && vocab > 0 && seqLen > 0
                        && h[5] != int.MinValue && heads % kvHeads == 0 && dim % heads == 0 && dim / heads % 2 == 0;
        if (!sensible)
        {
            throw Bad(path, $"nonsensical {header}: sizes must be positive, n_kv_heads must divide n_heads, and dim/n_heads must be even");
        }
        int headDim = dim / heads, kvDim = kvHeads * headDim;
        long[] largest = [(long)vocab * dim, (long)dim * dim, (long)hidden * dim, (long)seqLen * headDim];
        if (largest.Any(n => n > TensorArena.MaxBlockFloats))
        {
            throw Bad(path, $"nonsensical {header}: a tensor would exceed {TensorArena.MaxBlockFloats} floats");
        }
        long perLayer = 2L * dim + 2L * dim * dim + 2L * kvDim * dim + 3L * hidden * dim;
        long floats = (long)vocab * dim + layers * perLayer + dim + (long)seqLen * headDim + (h[5] < 0 ? (long)vocab * dim : 0);
        var config = new LlamaConfig
        {
            HiddenSize = dim,
            IntermediateSize = hidden,
            NumHiddenLayers = layers,
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = headDim,
            VocabSize = vocab,
            MaxPositionEmbeddings = seqLen,
            RopeTheta = 10000f,
            RmsNormEps = 1e-5f,
            TieWordEmbeddings = h[5] > 0,
        };
        return (config, HeaderBytes + floats * sizeof(float));
    }

    private static void ReadPerLayer(Stream stream, string path, IEnumerable<Tensor> perLayer)
    {
        foreach (var tensor in perLayer)
        {
            ReadFloats(stream, path, tensor);
        }
    }

    private static void ReadFloats(Stream stream, string path, Tensor tensor)
    {
        var bytes = MemoryMarshal.AsBytes(tensor.Span);
        ReadExactly(stream, path, bytes, bytes.Length);
        if (!BitConverter.IsLittleEndian)
        {
            var words = MemoryMarshal.Cast<float, int>(tensor.Span);
            BinaryPrimitives.ReverseEndianness(words, words);
        }
    }

    private static void ReadExactly(Stream stream, string path, Span<byte> destination, int count)
    {
        long start = stream.Position;
        int read = stream.ReadAtLeast(destination[..count], count, throwOnEndOfStream: false);
        if (read < count)
        {
            throw Bad(path, $"truncated: expected {start + count} bytes, found {start + read}");
        }
    }

    private static InvalidDataException Bad(string path, string problem) => new($"{path}: invalid llama2.c checkpoint: {problem}");
}
