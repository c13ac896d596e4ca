// GPT-2's bytes_to_unicode: every byte 0..255 as one printable character (printable Latin-1 bytes as themselves, the
// rest as U+0100 onwards), so byte-level BPE vocabularies spell raw bytes as text ("Ġ" is the space byte 0x20).
namespace FedSpine.Model.Tokenizers;

internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = Build();          // [256] byte -> character
    private static readonly int[] CharToByte = Invert(ByteToChar); // [max char + 1] character -> byte, -1 when none

    /// <summary>The character that spells byte <paramref name="value"/>.</summary>
    public static char Char(byte value) => ByteToChar[value];

    /// <summary>The byte a character spells, or false for characters outside the alphabet.</summary>
    public static bool TryByte(char c, out byte value)
    {
        int b = c < CharToByte.Length ? CharToByte[c] : -1;
        value = (byte)Math.Max(b, 0);
        return b >= 0;
    }

    /// <summary>The UTF-8 bytes of text, each spelled as its alphabet character.</summary>
    public static string Spell(string text)
    {
        int count = System.Text.Encoding.UTF8.GetByteCount(text);
        byte[] bytes = System.Buffers.ArrayPool<byte>.Shared.Rent(count);
        try
        {
            System.Text.Encoding.UTF8.GetBytes(text, bytes);
            return string.Create(count, bytes, (chars, source) =>
            {
                for (int i = 0; i < chars.Length; i++)
                {
                    chars[i] = ByteToChar[source[i]];
                }
            });
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>The bytes a token spells (HF's ByteLevel decoder): each character's byte, or the token's own UTF-8 bytes
    /// when any character is outside the alphabet (added tokens such as "&lt;|im_start|&gt;" are plain text).</summary>
    public static byte[] Bytes(string token)
    {
        var bytes = new byte[token.Length];
        for (int i = 0; i < token.Length; i++)
        {
            if (!TryByte(token[i], out bytes[i]))
            {
                return System.Text.Encoding.UTF8.GetBytes(token);
            }
        }
        return bytes;
    }

    private static char[] Build()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    private static int[] Invert(char[] map)
    {
        var inverse = new int[map.Max() + 1];
        Array.Fill(inverse, -1);
        for (int b = 0; b < map.Length; b++)
        {
            inverse[map[b]] = b;
        }
        return inverse;
    }
}
