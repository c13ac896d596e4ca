// The generation loop of llama2.c's run.c: feed the BOS-prefixed prompt token by token, then sample, for `steps`
// positions in all; stop early at BOS; emit each piece as run.c's safe_printf would, except that bytes of multi-byte
// characters (byte-fallback and byte-level pieces) are joined into whole UTF-8 characters rather than dropped.
using FedSpine.Model.Lora;
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Inference;

public sealed record GenerationResult(byte[] Output, int PromptTokens, int GeneratedTokens, int Positions, double Seconds);

public static class TextGenerator
{
    /// <summary>Generates and returns the printed bytes (prompt and continuation, then "\n"), as run.c prints them.
    /// onPiece receives each printed piece as it is produced (streaming).</summary>
    public static GenerationResult Generate(LlamaWeights model, ITokenizer tokenizer, string prompt, int steps, RunCSampler sampler,
        LoraWeights? lora = null, Action<byte[]>? onPiece = null)
    {
        int[] promptTokens = tokenizer.Encode(prompt, bos: true, eos: false);
        if (promptTokens.Length < 1)
        {
            throw new ArgumentException("the prompt encoded to no tokens");
        }
        steps = Math.Min(steps, model.Config.MaxPositionEmbeddings);
        if (steps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), "steps must be at least 1");
        }
        var decoder = new CachedDecoder(model, lora, steps);
        using var output = new MemoryStream();
        int token = promptTokens[0];
        int pos = 0;
        int generated = 0;
        var utf8 = new Utf8PieceAssembler();
        void Emit(byte[] ready)
        {
            if (ready.Length > 0)
            {
                output.Write(ready);
                onPiece?.Invoke(ready);
            }
        }
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (pos < steps)
        {
            var logits = decoder.Step(token, pos);
            int next;
            if (pos < promptTokens.Length - 1)
            {
                next = promptTokens[pos + 1];
            }
            else
            {
                next = sampler.Sample(logits);
                generated++;
            }
            pos++;
            if (next == tokenizer.BosId)
            {
                break;
            }
            // vocab_size may exceed the tokenizer (Qwen2.5 pads it): such ids have no text, as in HF's decode
            byte[] piece = next < tokenizer.VocabSize ? tokenizer.DecodeBytes(token, next) : [];
            if (IsPrintable(piece))
            {
                int end = Array.IndexOf(piece, (byte)0); // printf("%s") stops at a NUL byte
                Emit(utf8.Push(end < 0 ? piece : piece.AsSpan(0, end)));
            }
            token = next;
        }
        Emit(utf8.Flush());
        output.WriteByte((byte)'\n');
        onPiece?.Invoke("\n"u8.ToArray());
        return new GenerationResult(output.ToArray(), promptTokens.Length, generated, pos, clock.Elapsed.TotalSeconds);
    }

    /// <summary>run.c's safe_printf filter (a lone byte prints only if it is printable ASCII or whitespace), letting through
    /// bytes 0x80..0xFF, which are parts of multi-byte characters for the assembler to join.</summary>
    private static bool IsPrintable(byte[] piece)
    {
        if (piece.Length == 0 || piece[0] == 0)
        {
            return false;
        }
        if (piece.Length == 1)
        {
            byte b = piece[0];
            bool print = b >= 0x20 && b <= 0x7E;
            bool space = b == (byte)' ' || (b >= 0x09 && b <= 0x0D);
            return print || space || b >= 0x80;
        }
        return true;
    }
}
