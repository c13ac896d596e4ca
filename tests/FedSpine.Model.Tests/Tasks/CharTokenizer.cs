// A stand-in tokenizer for tiny test models: one id per UTF-16 char, 3 + (char mod (vocab − 3)); ids 1 and 2 are BOS/EOS.
// Enough to drive datasets and batches through TinyModels without a real vocabulary.
using FedSpine.Model.Tokenizers;

namespace FedSpine.Model.Tests.Tasks;

internal sealed class CharTokenizer(int vocabSize) : ITokenizer
{
    public int VocabSize => vocabSize;
    public int BosId => 1;
    public int EosId => 2;

    public int[] Encode(string text, bool bos, bool eos)
    {
        var ids = new List<int>();
        if (bos)
        {
            ids.Add(BosId);
        }
        ids.AddRange(text.Select(c => 3 + c % (vocabSize - 3)));
        if (eos)
        {
            ids.Add(EosId);
        }
        return ids.ToArray();
    }

    public byte[] DecodeBytes(int previousToken, int token) => throw new NotSupportedException("CharTokenizer only encodes");

    public string Decode(IReadOnlyList<int> ids) => throw new NotSupportedException("CharTokenizer only encodes");
}
