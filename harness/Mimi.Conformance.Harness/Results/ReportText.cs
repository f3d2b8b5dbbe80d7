using System.Globalization;
using System.Text;

namespace Mimi.Conformance.Harness.Results;

/// <summary>DP-chosen text made safe for one line of a report (shared by the results pipeline and the writers).</summary>
public static class ReportText
{
    /// <summary>
    /// Text for a single-line plain-text context (terminal, markdown cell, attribute): control characters,
    /// bidi overrides and line breaks become visible or spaces, so DP-chosen text cannot reshape the output.
    /// </summary>
    public static string OneLine(string? text, int maxLength = int.MaxValue)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var sb = new StringBuilder(Math.Min(text.Length, maxLength));
        var truncated = false;
        foreach (var rune in text.EnumerateRunes())
        {
            if (sb.Length >= maxLength)
            {
                truncated = true;
                break;
            }

            var value = rune.Value;
            if (value is '\r' or '\n' or '\t')
            {
                if (sb.Length > 0 && sb[^1] != ' ')
                {
                    sb.Append(' ');
                }
            }
            else if (IsInvisibleOrControl(value))
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\u{value:X4}");
            }
            else
            {
                sb.Append(rune.ToString());
            }
        }

        var result = sb.ToString().Trim();
        return truncated ? result + "…" : result;
    }

    /// <summary>C0/C1 controls, DEL, and the Unicode bidi embedding/override/isolate characters.</summary>
    public static bool IsInvisibleOrControl(int codePoint) =>
        codePoint < 0x20
        || codePoint is >= 0x7F and <= 0x9F
        || codePoint is >= 0x202A and <= 0x202E
        || codePoint is >= 0x2066 and <= 0x2069
        || codePoint is 0x200E or 0x200F or 0x061C or 0xFEFF;
}
