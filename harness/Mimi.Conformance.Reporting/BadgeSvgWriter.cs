using System.Globalization;
using System.Security;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Reporting;

/// <summary>
/// badge.svg, shields.io "flat" style: "MIMI DP | compliant 27/30" (green), "non-compliant 25/30" (red),
/// "error" (grey). The ratio is requirements passing out of requirements that apply (all but not-applicable).
/// </summary>
public sealed class BadgeSvgWriter() : TextReportWriter<ConformanceReport>(FileName)
{
    public const string FileName = "badge.svg";

    public const string Label = "MIMI DP";

    public static (string Message, string Color) Describe(ConformanceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var (passed, applicable) = ReportFacts.PassRatio(report);
        var ratio = applicable > 0 ? FormattableString.Invariant($" {passed}/{applicable}") : string.Empty;
        var v = report.Summary.Verification;
        return report.Summary.Verdict switch
        {
            RunVerdict.Compliant => ("compliant" + ratio, "#44cc11"),
            RunVerdict.NonCompliant => ("non-compliant" + ratio, "#e05d44"),
            RunVerdict.Incomplete => (FormattableString.Invariant($"incomplete {v.Observed}/{v.Gated} verified"), "#9f9f9f"),
            _ => ("error", "#9f9f9f"),
        };
    }

    private static string Svg(ConformanceReport report)
    {
        var (message, color) = Describe(report);
        var labelWidth = TextWidth(Label) + 12;
        var messageWidth = TextWidth(message) + 12;
        var width = labelWidth + messageWidth;
        var title = Escape(Label + ": " + message);
        var label = Escape(Label);
        var text = Escape(message);
        return $"""
<svg xmlns="http://www.w3.org/2000/svg" width="{N(width)}" height="20" role="img" aria-label="{title}">
  <title>{title}</title>
  <linearGradient id="s" x2="0" y2="100%">
    <stop offset="0" stop-color="#bbb" stop-opacity=".1"/>
    <stop offset="1" stop-opacity=".1"/>
  </linearGradient>
  <clipPath id="r"><rect width="{N(width)}" height="20" rx="3" fill="#fff"/></clipPath>
  <g clip-path="url(#r)">
    <rect width="{N(labelWidth)}" height="20" fill="#555"/>
    <rect x="{N(labelWidth)}" width="{N(messageWidth)}" height="20" fill="{color}"/>
    <rect width="{N(width)}" height="20" fill="url(#s)"/>
  </g>
  <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="11">
    <text x="{N(labelWidth / 2)}" y="15" fill="#010101" fill-opacity=".3">{label}</text>
    <text x="{N(labelWidth / 2)}" y="14">{label}</text>
    <text x="{N(labelWidth + (messageWidth / 2))}" y="15" fill="#010101" fill-opacity=".3">{text}</text>
    <text x="{N(labelWidth + (messageWidth / 2))}" y="14">{text}</text>
  </g>
</svg>

""";
    }

    public override void Write(ConformanceReport document, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Svg(document));
    }

    /// <summary>Approximate advance widths of Verdana 11px, which is what shields.io badges are set in.</summary>
    private static double TextWidth(string text)
    {
        double width = 0;
        foreach (var c in text)
        {
            width += c switch
            {
                ' ' => 3.9,
                'i' or 'l' or 'j' or '.' or ',' or ':' or '\'' => 3.1,
                'f' or 't' or 'r' or 'I' => 4.6,
                '/' or '-' or '(' or ')' => 4.9,
                'm' or 'w' => 10.7,
                'M' or 'W' => 11.0,
                >= 'A' and <= 'Z' => 7.6,
                >= '0' and <= '9' => 7.0,
                _ => 6.9,
            };
        }

        return Math.Ceiling(width);
    }

    private static string N(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Escape(string text) => SecurityElement.Escape(XmlChars.Strip(text));
}
