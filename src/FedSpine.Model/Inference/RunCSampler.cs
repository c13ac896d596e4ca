// Next-token sampling exactly as llama2.c's run.c: argmax at temperature 0, else softmax(logits/T) with run.c's
// xorshift generator, then multinomial or top-p. The same seed picks the same tokens as run.c would.
namespace FedSpine.Model.Inference;

public sealed class RunCSampler
{
    private ulong _state;
    private readonly (int Index, float Prob)[] _candidates;

    public RunCSampler(int vocabSize, float temperature, float topP, ulong seed)
    {
        if (temperature < 0 || float.IsNaN(temperature))
        {
            throw new ArgumentOutOfRangeException(nameof(temperature), $"temperature must be ≥ 0 (got {temperature})");
        }
        Temperature = temperature;
        TopP = topP;
        _state = seed;
        _candidates = new (int, float)[vocabSize];
    }

    public float Temperature { get; }
    public float TopP { get; }

    /// <summary>Picks the next token; logits [vocab] are overwritten with probabilities when sampling.</summary>
    public int Sample(Span<float> logits)
    {
        if (Temperature == 0f)
        {
            return ArgMax(logits);
        }
        for (int i = 0; i < logits.Length; i++)
        {
            logits[i] /= Temperature;
        }
        SoftmaxInPlace(logits);
        float coin = RandomF32();
        return TopP <= 0 || TopP >= 1 ? SampleMultinomial(logits, coin) : SampleTopP(logits, coin);
    }

    /// <summary>First index of the largest value (run.c's sample_argmax).</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }
        return best;
    }

    private uint RandomU32()
    {
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        return (uint)((_state * 0x2545F4914F6CDD1DUL) >> 32);
    }

    private float RandomF32() => (RandomU32() >> 8) / 16777216.0f;

    private static void SoftmaxInPlace(Span<float> x)
    {
        float max = x[0];
        for (int i = 1; i < x.Length; i++)
        {
            max = MathF.Max(max, x[i]);
        }
        float sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = MathF.Exp(x[i] - max);
            sum += x[i];
        }
        for (int i = 0; i < x.Length; i++)
        {
            x[i] /= sum;
        }
    }

    private static int SampleMultinomial(ReadOnlySpan<float> probs, float coin)
    {
        float cdf = 0;
        for (int i = 0; i < probs.Length; i++)
        {
            cdf += probs[i];
            if (coin < cdf)
            {
                return i;
            }
        }
        return probs.Length - 1;
    }

    private int SampleTopP(ReadOnlySpan<float> probs, float coin)
    {
        float cutoff = (1.0f - TopP) / (probs.Length - 1);
        int n = 0;
        for (int i = 0; i < probs.Length; i++)
        {
            if (probs[i] >= cutoff)
            {
                _candidates[n++] = (i, probs[i]);
            }
        }
        var candidates = _candidates.AsSpan(0, n);
        candidates.Sort((a, b) => a.Prob != b.Prob ? b.Prob.CompareTo(a.Prob) : a.Index.CompareTo(b.Index));
        float cumulative = 0;
        int last = n - 1;
        for (int i = 0; i < n; i++)
        {
            cumulative += candidates[i].Prob;
            if (cumulative > TopP)
            {
                last = i;
                break;
            }
        }
        float r = coin * cumulative;
        float cdf = 0;
        for (int i = 0; i <= last; i++)
        {
            cdf += candidates[i].Prob;
            if (r < cdf)
            {
                return candidates[i].Index;
            }
        }
        return candidates[last].Index;
    }
}
