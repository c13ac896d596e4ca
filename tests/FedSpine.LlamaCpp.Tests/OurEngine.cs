// What FedSpine itself does with a model, for comparison with llama.cpp: greedy decoding with the KV-cache decoder
// (argmax, first index on ties), token by token from position 0.
using FedSpine.Model;
using FedSpine.Model.Inference;

namespace FedSpine.LlamaCpp.Tests;

internal static class OurEngine
{
    /// <summary>The greedy tokens and the logits [steps][vocab] each was chosen from.</summary>
    public static (int[] Tokens, float[][] Logits) Greedy(LlamaWeights model, int[] prompt, int steps)
    {
        var decoder = new CachedDecoder(model, capacity: prompt.Length + steps);
        var generated = new int[steps];
        var chosenFrom = new float[steps][];
        float[] logits = [];
        for (int pos = 0; pos < prompt.Length; pos++)
        {
            logits = decoder.Step(prompt[pos], pos);
        }
        for (int step = 0; step < steps; step++)
        {
            chosenFrom[step] = (float[])logits.Clone();
            generated[step] = RunCSampler.ArgMax(logits);
            if (step + 1 < steps)
            {
                logits = decoder.Step(generated[step], prompt.Length + step);
            }
        }
        return (generated, chosenFrom);
    }
}
