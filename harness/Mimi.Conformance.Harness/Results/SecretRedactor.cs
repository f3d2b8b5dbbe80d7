using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

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

    /// <summary>
    /// One pass over the text for all forms at once (a report carries hundreds of credentials, so a pass per form was
    /// the slowest part of a run): at each hit, the longest form that starts there is masked.
    /// </summary>
    private static string Apply(string text, IReadOnlyList<string> forms)
    {
        var any = SearchValues.Create([.. forms], StringComparison.OrdinalIgnoreCase);
        var hit = text.AsSpan().IndexOfAny(any);
        if (hit < 0)
            return text;
        var result = new StringBuilder(text.Length);
        var done = 0;
        while (hit >= 0)
        {
            var at = done + hit;
            // forms are ordered longest first, so the first that matches here is the longest.
            var length = forms.First(f => text.AsSpan(at).StartsWith(f, StringComparison.OrdinalIgnoreCase)).Length;
            result.Append(text, done, at - done).Append(Mask);
            done = at + length;
            hit = text.AsSpan(done).IndexOfAny(any);
        }
        return result.Append(text, done, text.Length - done).ToString();
    }

    private static string? CredentialIn(string body)
    {
        try
        {
            return (JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false }) as JsonObject)?["credential"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
