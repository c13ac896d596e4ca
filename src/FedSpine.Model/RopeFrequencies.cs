// RoPE inverse frequencies of a config as HF's modeling_rope_utils computes them: default theta^(-2i/d); linear divides
// by factor; llama3 divides low frequencies by factor and blends the middle band; dynamic (NTK) enlarges theta.
using FedSpine.Tensors;

namespace FedSpine.Model;

public static class RopeFrequencies
{
    /// <summary>Inverse frequencies [headDim/2] for a forward over <paramref name="sequenceLength"/> positions (only
    /// dynamic depends on it: HF rescales theta when max(position_ids) + 1 exceeds max_position_embeddings).</summary>
    public static double[] Inverse(LlamaConfig config, int sequenceLength)
    {
        int dim = config.HeadDim;
        var scaling = config.RopeScaling;
        string type = scaling?.Type ?? "default";
        double theta = config.RopeTheta;
        if (type == "dynamic")
        {
            // HF _compute_dynamic_ntk_parameters: seq_len = max(seq_len, max_position_embeddings),
            // base · ((factor · seq_len / max_pos) − (factor − 1)) ^ (dim / (dim − 2)).
            int maxPos = config.MaxPositionEmbeddings;
            double seq = Math.Max(sequenceLength, maxPos);
            theta *= Math.Pow(scaling!.Factor * seq / maxPos - (scaling.Factor - 1), dim / (dim - 2.0));
        }
        var invFreq = RopeTable.DefaultInverseFrequencies(dim, theta);
        if (type == "linear")
        {
            for (int i = 0; i < invFreq.Length; i++)
            {
                invFreq[i] /= scaling!.Factor;
            }
        }
        else if (type == "llama3")
        {
            Llama3(invFreq, scaling!);
        }
        else if (type is not ("default" or "dynamic"))
        {
            throw new InvalidDataException($"rope_scaling type '{type}' is not implemented");
        }
        return invFreq;
    }

    /// <summary>The table a training or evaluation forward over <paramref name="tokens"/> positions uses (HF's forward
    /// over the whole sequence: every position shares the frequencies of length <paramref name="tokens"/>).</summary>
    public static RopeTable ForSequence(LlamaConfig config, int tokens)
    {
        var invFreq = Inverse(config, tokens);
        return new RopeTable(config.HeadDim, tokens, _ => invFreq);
    }

    /// <summary>The table of the token-by-token cached decoder: position p uses the frequencies of length p + 1, which is
    /// what HF computes when it feeds one token at a time (only dynamic scaling differs from ForSequence).</summary>
    public static RopeTable ForDecoding(LlamaConfig config, int capacity)
    {
        if (config.RopeScaling?.Type != "dynamic")
        {
            return ForSequence(config, capacity);
        }
        var atMax = Inverse(config, config.MaxPositionEmbeddings);
        return new RopeTable(config.HeadDim, capacity, p => p + 1 <= config.MaxPositionEmbeddings ? atMax : Inverse(config, p + 1));
    }

    // HF _compute_llama3_parameters: wavelengths above original/low_freq_factor are divided by factor, those below
    // original/high_freq_factor kept, and the band between blends the two by smooth = (original/wavelen − low) / (high − low).
    private static void Llama3(double[] invFreq, RopeScaling s)
    {
        double factor = s.Factor, low = s.LowFreqFactor!.Value, high = s.HighFreqFactor!.Value;
        double original = s.OriginalMaxPositionEmbeddings!.Value;
        double lowFreqWavelen = original / low, highFreqWavelen = original / high;
        for (int i = 0; i < invFreq.Length; i++)
        {
            double wavelen = 2 * Math.PI / invFreq[i];
            if (wavelen > lowFreqWavelen)
            {
                invFreq[i] /= factor;
            }
            else if (wavelen >= highFreqWavelen)
            {
                double smooth = (original / wavelen - low) / (high - low);
                invFreq[i] = (1 - smooth) * invFreq[i] / factor + smooth * invFreq[i];
            }
        }
    }
}
