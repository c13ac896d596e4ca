// Text a device sends (hello profile and agent, a decline's reason) as it may reach the log and /status: control and
// format characters (line breaks, escapes, bidi overrides) become '?', and it is cut to a length cap with an ellipsis.
using System.Globalization;
using System.Text;

namespace FedSpine.Deploy.Server;

public static class DeviceText
{
    public const int MaxLength = 120;

    /// <summary>The cleaned text, or null for null.</summary>
    public static string? Clean(string? text, int maxLength = MaxLength)
    {
        if (text is null)
        {
            return null;
        }
        var sb = new StringBuilder(Math.Min(text.Length, maxLength + 1));
        foreach (var rune in text.EnumerateRunes())
        {
            if (sb.Length >= maxLength)
            {
                sb.Append('…');
                break;
            }
            var category = Rune.GetUnicodeCategory(rune);
            bool unsafeChar = category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
            sb.Append(unsafeChar ? "?" : rune.ToString());
        }
        return sb.ToString();
    }
}
