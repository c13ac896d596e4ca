// Joins the bytes of decoded pieces into whole UTF-8 characters: byte-fallback (<0xF0> <0x9F> ...) and byte-level pieces
// split a character across tokens, so an incomplete character waits for the next piece; invalid bytes print as U+FFFD.
using System.Buffers;
using System.Text;

namespace FedSpine.Model.Inference;

public sealed class Utf8PieceAssembler
{
    private static readonly byte[] Replacement = [0xEF, 0xBF, 0xBD]; // U+FFFD
    private readonly List<byte> _pending = new(4);                   // [<= 3] the start of an incomplete character

    /// <summary>The complete characters now available: what was pending plus <paramref name="piece"/>, less an incomplete
    /// character at the end, which is kept for the next call.</summary>
    public byte[] Push(ReadOnlySpan<byte> piece)
    {
        byte[] bytes = [.. _pending, .. piece];
        _pending.Clear();
        var ready = new List<byte>(bytes.Length + 2);
        for (int i = 0; i < bytes.Length;)
        {
            var status = Rune.DecodeFromUtf8(bytes.AsSpan(i), out _, out int used);
            if (status == OperationStatus.NeedMoreData)
            {
                _pending.AddRange(bytes.AsSpan(i).ToArray()); // a valid prefix of a character: wait for its continuation
                break;
            }
            if (status == OperationStatus.Done)
            {
                ready.AddRange(bytes.AsSpan(i, used).ToArray());
            }
            else
            {
                ready.AddRange(Replacement);
            }
            i += used;
        }
        return ready.ToArray();
    }

    /// <summary>What is left at the end of the output: an incomplete character prints as U+FFFD.</summary>
    public byte[] Flush()
    {
        bool incomplete = _pending.Count > 0;
        _pending.Clear();
        return incomplete ? [.. Replacement] : [];
    }
}
