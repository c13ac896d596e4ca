// AdamW (decoupled weight decay, as torch.optim.AdamW with amsgrad off): one update of a parameter buffer.
// Fast kernel (fused Vector256 or Vector128 loop, memory-bound; large buffers spread over the pool); see AdamWReference.
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FedSpine.Tensors;

public sealed record AdamWSettings(float LearningRate = 1e-3f, float Beta1 = 0.9f, float Beta2 = 0.999f, float Epsilon = 1e-8f, float WeightDecay = 0.01f);

public static class AdamW
{
    /// <summary>step is 1-based. param, grad, m, v: [count]. m, v are updated in place.</summary>
    public static void Step(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, AdamWSettings settings, int step)
    {
        CheckArguments(param.Length, grad.Length, m.Length, v.Length, settings, step);
        // Same order of operations as torch's single-tensor AdamW; the scalar factors are formed in double.
        double lr = Widen(settings.LearningRate), beta1 = Widen(settings.Beta1), beta2 = Widen(settings.Beta2);
        var k = new Factors(
            Decay: (float)(1.0 - lr * Widen(settings.WeightDecay)),
            OneMinusBeta1: (float)(1.0 - beta1),
            Beta2: (float)beta2,
            OneMinusBeta2: (float)(1.0 - beta2),
            StepSize: (float)(lr / (1.0 - Math.Pow(beta1, step))),
            Bias2Sqrt: (float)Math.Sqrt(1.0 - Math.Pow(beta2, step)),
            Epsilon: settings.Epsilon);
        int count = param.Length;
        if (OpsParallel.IsSmall(count, 1))
        {
            UpdateRange(param, grad, m, v, k, 0, count);
        }
        else
        {
            UpdateParallel(param, grad, m, v, k, count);
        }
    }

    /// <summary>Shared with AdamWReference: equal lengths, 1-based step, settings non-null.</summary>
    internal static void CheckArguments(int paramLength, int gradLength, int mLength, int vLength, AdamWSettings settings, int step)
    {
        ArgumentNullException.ThrowIfNull(settings);
        OpsArgs.AtLeast(step, 1, nameof(step));
        if (gradLength != paramLength || mLength != paramLength || vLength != paramLength)
        {
            throw new ArgumentException($"param, grad, m, v must have equal lengths (got {paramLength}, {gradLength}, {mLength}, {vLength})");
        }
    }

    /// <summary>A float setting as the decimal it was written as (0.999f → 0.999, not 0.99900001287), the value torch
    /// would get from Python; shared with AdamWReference.</summary>
    internal static double Widen(float setting) => float.IsFinite(setting) && Math.Abs(setting) < 1e20f ? (double)(decimal)setting : setting;

    private readonly record struct Factors(float Decay, float OneMinusBeta1, float Beta2, float OneMinusBeta2,
        float StepSize, float Bias2Sqrt, float Epsilon);

    private static unsafe void UpdateParallel(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, Factors k, int count)
    {
        int perChunk = OpsParallel.RowsPerChunk(count, 1);
        fixed (float* pp = param, pg = grad, pm = m, pv = v)
        {
            float* cp = pp, cg = pg, cm = pm, cv = pv; // fixed locals cannot be captured
            WorkerPool.For(OpsParallel.ChunkCount(count, perChunk), c =>
            {
                int start = c * perChunk;
                UpdateRange(new Span<float>(cp, count), new ReadOnlySpan<float>(cg, count), new Span<float>(cm, count), new Span<float>(cv, count),
                    k, start, Math.Min(count, start + perChunk));
            });
        }
    }

    // For i in [start, end): p *= decay; m += (1−β1)(g − m); v = β2·v + (1−β2)·g²; p −= stepSize·m / (√v / √(1−β2ᵗ) + ε).
    private static void UpdateRange(Span<float> param, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, Factors k, int start, int end)
    {
        int i = start;
        ref float rp = ref MemoryMarshal.GetReference(param);
        ref float rg = ref MemoryMarshal.GetReference(grad);
        ref float rm = ref MemoryMarshal.GetReference(m);
        ref float rv = ref MemoryMarshal.GetReference(v);
        // Memory-bound (7 floats moved per element): one 8-wide loop reaches the bandwidth; wider vectors add nothing.
        if (IsaPath.Use256)
        {
            var decay = Vector256.Create(k.Decay);
            var b1c = Vector256.Create(k.OneMinusBeta1);
            var b2 = Vector256.Create(k.Beta2);
            var b2c = Vector256.Create(k.OneMinusBeta2);
            var stepSize = Vector256.Create(k.StepSize);
            var bias2Sqrt = Vector256.Create(k.Bias2Sqrt);
            var eps = Vector256.Create(k.Epsilon);
            for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var g = Vector256.LoadUnsafe(ref rg, (nuint)i);
                var mi = Vector256.LoadUnsafe(ref rm, (nuint)i);
                mi += b1c * (g - mi);
                var vi = Vector256.LoadUnsafe(ref rv, (nuint)i) * b2 + b2c * (g * g);
                var p = Vector256.LoadUnsafe(ref rp, (nuint)i) * decay;
                p -= stepSize * (mi / (Vector256.Sqrt(vi) / bias2Sqrt + eps));
                mi.StoreUnsafe(ref rm, (nuint)i);
                vi.StoreUnsafe(ref rv, (nuint)i);
                p.StoreUnsafe(ref rp, (nuint)i);
            }
        }
        else if (IsaPath.Use128)
        {
            var decay = Vector128.Create(k.Decay);
            var b1c = Vector128.Create(k.OneMinusBeta1);
            var b2 = Vector128.Create(k.Beta2);
            var b2c = Vector128.Create(k.OneMinusBeta2);
            var stepSize = Vector128.Create(k.StepSize);
            var bias2Sqrt = Vector128.Create(k.Bias2Sqrt);
            var eps = Vector128.Create(k.Epsilon);
            for (; i <= end - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                var g = Vector128.LoadUnsafe(ref rg, (nuint)i);
                var mi = Vector128.LoadUnsafe(ref rm, (nuint)i);
                mi += b1c * (g - mi);
                var vi = Vector128.LoadUnsafe(ref rv, (nuint)i) * b2 + b2c * (g * g);
                var p = Vector128.LoadUnsafe(ref rp, (nuint)i) * decay;
                p -= stepSize * (mi / (Vector128.Sqrt(vi) / bias2Sqrt + eps));
                mi.StoreUnsafe(ref rm, (nuint)i);
                vi.StoreUnsafe(ref rv, (nuint)i);
                p.StoreUnsafe(ref rp, (nuint)i);
            }
        }
        for (; i < end; i++)
        {
            float g = grad[i];
            float mi = m[i] + k.OneMinusBeta1 * (g - m[i]);
            float vi = v[i] * k.Beta2 + k.OneMinusBeta2 * (g * g);
            m[i] = mi;
            v[i] = vi;
            param[i] = param[i] * k.Decay - k.StepSize * (mi / (MathF.Sqrt(vi) / k.Bias2Sqrt + k.Epsilon));
        }
    }
}
