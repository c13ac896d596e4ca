// Forward and backward of one linear module y = x·Wᵀ (+ scale·(x·Aᵀ)·Bᵀ with a LoRA adapter), W: [out, in].
// Backward adds base and LoRA gradients where their buffers are given (null = frozen) and adds into dx.
using FedSpine.Model.Lora;
using FedSpine.Tensors;

namespace FedSpine.Model.Training;

internal static class LinearPass
{
    /// <summary>y [rows, out] = x [rows, in]·Wᵀ (+= when accumulate) plus the adapter; xa [rows, rank] keeps x·Aᵀ.</summary>
    public static void Forward(ReadOnlySpan<float> x, Tensor weight, LoraAdapter? lora, Span<float> xa, Span<float> y, int rows, bool accumulate = false)
    {
        int outDim = weight.Dim(0), inDim = weight.Dim(1);
        Gemm.XWt(x, weight.Span, y, rows, inDim, outDim, accumulate);
        if (lora is null)
        {
            return;
        }
        int r = lora.Rank;
        Gemm.XWt(x, lora.A.Span, xa, rows, inDim, r);
        Gemm.Multiply(false, true, rows, outDim, r, lora.Scale, xa, r, lora.B.Span, r, 1f, y, outDim);
    }

    /// <summary>From dy [rows, out]: dx [rows, in] += dy·W (+ LoRA path); dWeight [out, in] += dyᵀ·x when given;
    /// dLora.A/B += their gradients when given. scratch: [rows, rank] at least.</summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Tensor weight, Tensor? dWeight,
        LoraAdapter? lora, LoraAdapter? dLora, ReadOnlySpan<float> xa, Span<float> scratch, Span<float> dx, int rows, bool accumulateDx)
    {
        int outDim = weight.Dim(0), inDim = weight.Dim(1);
        if (dWeight is not null)
        {
            Gemm.DytX(dy, x, dWeight.Span, rows, outDim, inDim, accumulate: true);
        }
        Gemm.DyW(dy, weight.Span, dx, rows, outDim, inDim, accumulateDx);
        if (lora is null)
        {
            return;
        }
        int r = lora.Rank;
        var dt = scratch[..(rows * r)]; // [rows, rank] = scale·dy·B
        Gemm.Multiply(false, false, rows, r, outDim, lora.Scale, dy, outDim, lora.B.Span, r, 0f, dt, r);
        if (dLora is not null)
        {
            // dB [out, r] += scale·dyᵀ·xa ; dA [r, in] += dtᵀ·x
            Gemm.Multiply(true, false, outDim, r, rows, lora.Scale, dy, outDim, xa, r, 1f, dLora.B.Span, r);
            Gemm.DytX(dt, x, dLora.A.Span, rows, r, inDim, accumulate: true);
        }
        Gemm.DyW(dt, lora.A.Span, dx, rows, r, inDim, accumulate: true);
    }
}
