using System.Text;

namespace Mimi.Conformance.Reporting;

/// <summary>Keeps DP-provided text inside what XML 1.0 can carry.</summary>
internal static class XmlChars
{
    /// <summary>
    /// Removes characters XML 1.0 forbids (C0 controls other than tab, LF, CR; U+FFFE, U+FFFF; lone surrogates).
    /// Everything else, including "]]&gt;" and markup characters, is left for the XmlWriter to escape.
    /// </summary>
    public static string Strip(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        StringBuilder? sb = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var legal = c switch
            {
                '\t' or '\n' or '\r' => true,
                < ' ' => false,
                '\uFFFE' or '\uFFFF' => false,
                _ when char.IsHighSurrogate(c) => i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]),
                _ when char.IsLowSurrogate(c) => i > 0 && char.IsHighSurrogate(text[i - 1]),
                _ => true,
            };

            if (legal)
            {
                sb?.Append(c);
            }
            else
            {
                sb ??= new StringBuilder(text.Length).Append(text, 0, i);
            }
        }

        return sb?.ToString() ?? text;
    }

    /// <summary>True when every character of <paramref name="text"/> is legal in XML 1.0.</summary>
    public static bool IsLegal(string text) => ReferenceEquals(Strip(text), text) || text.Length == 0;
}
