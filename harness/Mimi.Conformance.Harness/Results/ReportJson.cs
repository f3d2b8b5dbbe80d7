using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Harness.Results;

/// <summary>
/// report.json: the canonical serialisation of <see cref="ConformanceReport"/> (validated by
/// vectors/schemas/report.schema.json). Property names come from the model's attributes, verdicts are strings.
/// </summary>
public static class ReportJson
{
    public const string FileName = "report.json";

    /// <summary>
    /// Indented, non-ASCII kept readable (only what JSON requires is escaped, plus invisible characters, see
    /// <c>Escape</c>), nulls written explicitly; unknown members are ignored on read (newer report, older reader).
    /// </summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        WriteIndented = true,
        IndentSize = 2,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(ConformanceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return Escape(JsonSerializer.Serialize(report, Options), forHtml: false) + "\n";
    }

    public static ConformanceReport Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize<ConformanceReport>(json, Options)
            ?? throw new JsonException("report.json holds null instead of a report object.");
    }

    public static ConformanceReport Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return JsonSerializer.Deserialize<ConformanceReport>(stream, Options)
            ?? throw new JsonException("report.json holds null instead of a report object.");
    }

    public static ConformanceReport ReadFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream);
    }

    /// <summary>
    /// The report as JSON that is safe inside an HTML <c>&lt;script type="application/json"&gt;</c> element:
    /// <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c> are written as \u escapes (as in <see cref="Escape"/>), so neither
    /// <c>&lt;/script&gt;</c> nor <c>&lt;!--</c> can appear; <c>JSON.parse</c> yields the same data.
    /// </summary>
    public static string SerializeForHtml(ConformanceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return Escape(JsonSerializer.Serialize(report, Options), forHtml: true);
    }

    /// <summary>
    /// Post-processes serializer output. Outside strings, JSON holds only structure, ASCII whitespace, numbers and
    /// literals, and the serializer already escapes C0 controls inside strings; so every character handled here
    /// sits inside a string, where its \u escape means the same character. Always escaped: DEL, C1 controls, bidi
    /// overrides/isolates, U+2028/U+2029 and BOMs (invisible, or able to reorder what a reader sees). For HTML
    /// embedding also <c>&lt;</c>, <c>&gt;</c> and <c>&amp;</c>.
    /// </summary>
    private static string Escape(string json, bool forHtml)
    {
        StringBuilder? sb = null;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            var escape = c >= ' ' && (ReportText.IsInvisibleOrControl(c) || c is '\u2028' or '\u2029'
                || (forHtml && c is '<' or '>' or '&'));
            if (escape)
            {
                sb ??= new StringBuilder(json.Length + 256).Append(json, 0, i);
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb?.Append(c);
            }
        }

        return sb?.ToString() ?? json;
    }
}
