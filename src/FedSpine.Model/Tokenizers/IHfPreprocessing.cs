// What a tokenizer.json's normalizer and pre_tokenizer do together: one segment of input (text between added tokens)
// to the words the BPE model merges. Two layouts: SentencePiece-style (HfPreprocessing), GPT-2 byte-level (ByteLevelPreprocessing).
using System.Text.Json;

namespace FedSpine.Model.Tokenizers;

internal interface IHfPreprocessing
{
    /// <summary>The words of a segment of input; atStart when it begins the input.</summary>
    IEnumerable<string> Words(string segment, bool atStart);

    /// <summary>Writes the "normalizer" and "pre_tokenizer" members.</summary>
    void WriteJson(Utf8JsonWriter writer);
}
