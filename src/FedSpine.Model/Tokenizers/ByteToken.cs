// Byte-fallback tokens spell one raw byte as "<0xHH>" (two uppercase or lowercase hex digits).
// Shared by the llama2.c and Hugging Face tokenizers.
using System.Globalization;

namespace FedSpine.Model.Tokenizers;

internal static class ByteToken
{
    public static string Name(byte value) => $"<0x{value:X2}>";

    public static bool TryParse(ReadOnlySpan<byte> piece, out byte value)
    {
        value = 0;
        if (piece.Length != 6 || piece[0] != '<' || piece[1] != '0' || piece[2] != 'x' || piece[5] != '>')
        {
            return false;
        }
        Span<char> hex = [(char)piece[3], (char)piece[4]];
        return byte.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    public static bool TryParse(string piece, out byte value)
    {
        value = 0;
        return piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
               && byte.TryParse(piece.AsSpan(3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}
