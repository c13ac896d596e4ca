// What the model needs from a tokenizer: text to ids, and ids back to the exact bytes to print.
// Implementations: llama2.c tokenizer.bin, Hugging Face tokenizer.json (BPE with byte fallback, or byte-level BPE).
namespace FedSpine.Model.Tokenizers;

public interface ITokenizer
{
    int VocabSize { get; }
    int BosId { get; }
    int EosId { get; }

    /// <summary>Token ids of text, optionally with BOS first and EOS last (SentencePiece-style: a leading space is added
    /// to non-empty text, as llama2.c's encode and LLaMA's tokenizer.json normalizer do; byte-level BPE adds none).</summary>
    int[] Encode(string text, bool bos, bool eos);

    /// <summary>The bytes token prints as when it follows previousToken (llama2.c's decode: after BOS a leading space is
    /// dropped; byte tokens like &lt;0x0A&gt; become that raw byte, so one character may span several tokens).</summary>
    byte[] DecodeBytes(int previousToken, int token);

    /// <summary>All ids decoded to text (UTF-8), skipping BOS/EOS.</summary>
    string Decode(IReadOnlyList<int> ids);
}
