// Greedy (or sampled) responses to instructions: the template's prompt after BOS, then tokens until end-of-text or the
// model's context runs out; returns only the response (ids and text), never the prompt.
using FedSpine.Model.Inference;
using FedSpine.Model.Lora;
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Tasks;

public static class InstructGenerator
{
    /// <summary>The response to an instruction (context may be empty): at most maxNewTokens ids, stopping at EOS (not
    /// included) or at the context length. sampler null = greedy (argmax, lowest id on ties).</summary>
    public static (int[] Ids, string Text) Respond(LlamaWeights model, ITokenizer tokenizer, string instruction, string context,
        int maxNewTokens, LoraWeights? lora = null, RunCSampler? sampler = null)
    {
        int[] prompt = tokenizer.Encode(InstructTemplate.Prompt(instruction, context), bos: true, eos: false);
        int capacity = model.Config.MaxPositionEmbeddings;
        if (prompt.Length >= capacity)
        {
            // Keep BOS, the start of the instruction and the response marker, as training truncation does.
            int keep = capacity / 2, head = (keep + 1) / 2;
            prompt = [.. prompt[..head], .. prompt[(prompt.Length - (keep - head))..]];
        }
        var decoder = new CachedDecoder(model, lora, capacity);
        float[] logits = [];
        for (int p = 0; p < prompt.Length; p++)
        {
            logits = decoder.Step(prompt[p], p);
        }
        var response = new List<int>();
        for (int pos = prompt.Length; response.Count < maxNewTokens; pos++)
        {
            int next = sampler is null ? System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits) : sampler.Sample(logits);
            if (next == tokenizer.EosId || pos >= capacity)
            {
                break;
            }
            response.Add(next);
            logits = decoder.Step(next, pos);
        }
        return (response.ToArray(), tokenizer.Decode(response).Trim());
    }
}
