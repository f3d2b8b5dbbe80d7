using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mimi.Conformance.Harness.Reporting;

namespace Mimi.Conformance.Harness.Results;

/// <summary>
/// Removes every secret of a run from what it writes: the credentials a DP hands out (test control /clients answers),
/// and the secrets the harness was given (a keys file's secret, a test-control token), in every encoding a report
/// could carry them (as is, hex, base64, base64url; JSON-escaped). Headers that carry secrets are redacted as they
/// are recorded (DpClient); this pass catches the same values wherever else they appear.
/// </summary>
public static class SecretRedactor
{
    public const string Mask = "[redacted]";

    /// <summary>Credentials a DP issued during the run: the <c>credential</c> member of every test-control clients answer.</summary>
    public static IEnumerable<string> IssuedCredentials(ConformanceReport report) =>
        report.Requirements.SelectMany(r => r.Tests).SelectMany(t => t.Exchanges)
            .Where(e => e.Url.Contains("/clients", StringComparison.Ordinal) && e.ResponseBody is { Length: > 0 })
            .Select(e => CredentialIn(e.ResponseBody!))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal);

    public static ConformanceReport Redact(ConformanceReport report, IEnumerable<string> secrets)
    {
        var forms = Forms(secrets);
        if (forms.Count == 0)
            return report;
        var json = JsonSerializer.Serialize(report, ReportJson.Options);
        var redacted = Apply(json, forms);
        return ReferenceEquals(json, redacted) ? report : ReportJson.Deserialize(redacted);
    }

    /// <summary>Redacts a file the run keeps besides the report (the suite's raw XML and output), in place.</summary>
    public static void RedactFile(string path, IEnumerable<string> secrets)
    {
        var forms = Forms(secrets);
        if (forms.Count == 0 || !File.Exists(path))
            return;
        var text = File.ReadAllText(path);
        var redacted = Apply(text, forms);
        if (!ReferenceEquals(text, redacted))
            File.WriteAllText(path, redacted);
    }

    /// <summary>Every form of every secret worth looking for (at least 8 characters, so no common word is masked).</summary>
    public static IReadOnlyList<string> Forms(IEnumerable<string> secrets)
    {
        var forms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in secrets.Where(s => s.Length >= 8))
        {
            var bytes = Encoding.UTF8.GetBytes(secret);
            foreach (var form in new[] { secret, Convert.ToHexString(bytes), Convert.ToHexStringLower(bytes), Convert.ToBase64String(bytes), Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_') })
            {
                forms.Add(form);
                forms.Add(JsonEncodedText.Encode(form).ToString());
            }
        }
        return [.. forms.OrderByDescending(f => f.Length)];
    }

    private static string Apply(string text, IReadOnlyList<string> forms)
    {
        var result = text;
        foreach (var form in forms)
        {
            if (result.Contains(form, StringComparison.OrdinalIgnoreCase))
                result = result.Replace(form, Mask, StringComparison.OrdinalIgnoreCase);
        }
        return result;
    }

    private static string? CredentialIn(string body)
    {
        try
        {
            return (JsonNode.Parse(body) as JsonObject)?["credential"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
