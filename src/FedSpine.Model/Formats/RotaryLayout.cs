// Reorders the output rows of a query/key projection [heads*headDim, in] between the two RoPE conventions:
// interleaved (llama2.c, Meta, GGUF: rows 2i and 2i+1 rotate together) and rotate-half (HF: rows i and i+headDim/2).
using FedSpine.Tensors;

namespace FedSpine.Model.Formats;

public static class RotaryLayout
{
    /// <summary>In place: interleaved rows to HF rotate-half rows (HF convert_llama_weights_to_hf.py's permute).</summary>
    public static void InterleavedToHalf(Tensor weight, int heads) => Permute(weight, heads, toHalf: true);

    /// <summary>In place: HF rotate-half rows back to interleaved rows (the inverse of <see cref="InterleavedToHalf"/>).</summary>
    public static void HalfToInterleaved(Tensor weight, int heads) => Permute(weight, heads, toHalf: false);

    private static void Permute(Tensor weight, int heads, bool toHalf)
    {
        if (weight.Rank != 2 || heads <= 0 || weight.Dim(0) % heads != 0 || weight.Dim(0) / heads % 2 != 0)
        {
            throw new ArgumentException($"weight {weight} is not [heads*headDim, in] with {heads} heads and an even head_dim");
        }
        int headDim = weight.Dim(0) / heads, half = headDim / 2, width = weight.Dim(1);
        var scratch = new float[headDim * width]; // [headDim, in]: one head's rows in the source order
        for (int h = 0; h < heads; h++)
        {
            var head = weight.Span.Slice(h * headDim * width, headDim * width);
            head.CopyTo(scratch);
            for (int i = 0; i < half; i++)
            {
                for (int j = 0; j < 2; j++)
                {
                    int halfRow = j * half + i, interleavedRow = 2 * i + j;
                    int from = toHalf ? interleavedRow : halfRow, to = toHalf ? halfRow : interleavedRow;
                    scratch.AsSpan(from * width, width).CopyTo(head.Slice(to * width, width));
                }
            }
        }
    }
}
