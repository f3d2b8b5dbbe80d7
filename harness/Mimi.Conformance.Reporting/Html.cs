using System.Globalization;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Reporting;

/// <summary>HTML encoding for report text, most of which the DP under test chose (so: hostile).</summary>
public static class Html
{
    /// <summary>
    /// Writes <paramref name="text"/> safe for element content and for double- or single-quoted attribute values.
    /// Markup characters become entities; C0 controls become their visible Control Pictures (U+2400 block);
    /// DEL, C1 controls, bidi overrides/isolates and BOMs become literal <c>\uXXXX</c> text, so a DP can neither
    /// inject markup nor hide or reorder evidence; lone surrogates become U+FFFD.
    /// </summary>
    public static void Encode(TextWriter writer, string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            string? replacement;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            replacement = c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                '\t' or '\n' or '\r' => null,
                < ' ' => ((char)(0x2400 + c)).ToString(),
                _ when char.IsSurrogate(c) => "\uFFFD",
                _ when ReportText.IsInvisibleOrControl(c) => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
                _ => null,
            };

            if (replacement is null)
            {
                continue;
            }

            if (i > start)
            {
                writer.Write(text.AsSpan(start, i - start));
            }

            writer.Write(replacement);
            start = i + 1;
        }

        if (start < text.Length)
        {
            writer.Write(text.AsSpan(start));
        }
    }

    public static string Encode(string? text)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Encode(writer, text);
        return writer.ToString();
    }
}
