using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using Mimi.Conformance.Harness.Tests.Ci;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Harness.Tests.Hardening;

/// <summary>No report file carries a private key, a token or an Authorization value.</summary>
public sealed partial class SecretsScanTests
{
    [Fact]
    public async Task No_report_file_contains_a_private_key_or_credential()
    {
        // The shared failing run: failures carry reproducers and full evidence, the most a report ever holds.
        var run = await RealRuns.Faulty;
        run.Report.Summary.ExitCode.Should().Be(1);
        var output = run.Directory;
        var secrets = SecretForms().DistinctBy(s => s.Form, StringComparer.OrdinalIgnoreCase).ToDictionary(s => s.Form, s => s.What, StringComparer.OrdinalIgnoreCase);
        var anySecret = SearchValues.Create([.. secrets.Keys], StringComparison.OrdinalIgnoreCase);
        var files = Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).ToList();
        files.Should().Contain(f => f.EndsWith("report.html", StringComparison.Ordinal));
        var leaks = new List<string>();
        foreach (var file in files)
        {
            // One pass per file over every form of every secret at once.
            var text = await File.ReadAllTextAsync(file);
            for (var at = text.AsSpan().IndexOfAny(anySecret); at >= 0;)
            {
                var start = at;
                var form = secrets.Keys.Where(k => text.AsSpan(start).StartsWith(k, StringComparison.OrdinalIgnoreCase)).MaxBy(k => k.Length)!;
                leaks.Add($"{Path.GetFileName(file)}: {secrets[form]}");
                var next = text.AsSpan(start + 1).IndexOfAny(anySecret);
                at = next < 0 ? -1 : start + 1 + next;
            }
            leaks.AddRange(AuthorizationValue().Matches(text).Select(m => $"{Path.GetFileName(file)}: authorization value {m.Value[..Math.Min(40, m.Value.Length)]}"));
            leaks.AddRange(BearerValue().Matches(text).Select(m => $"{Path.GetFileName(file)}: bearer credential {m.Value[..Math.Min(30, m.Value.Length)]}"));
            leaks.AddRange(IssuedCredential().Matches(text).Select(m => $"{Path.GetFileName(file)}: credential handed out by the DP {m.Value[..Math.Min(40, m.Value.Length)]}"));
            if (text.Contains("PRIVATE KEY", StringComparison.Ordinal))
                leaks.Add($"{Path.GetFileName(file)}: PEM private key");
        }
        run.Report.Requirements.SelectMany(r => r.Tests).SelectMany(t => t.Exchanges).Should().Contain(e => e.Url.EndsWith("/clients", StringComparison.Ordinal) && e.Status == 201,
            "the run registered clients, so credentials were handed out to be redacted");
        leaks.Should().BeEmpty();
    }

    /// <summary>Every private seed the run's parties derive (SigningKey.FromLabel: SHA-256 of "seed/label"), in every text form.</summary>
    private static IEnumerable<(string What, string Form)> SecretForms()
    {
        var labels = new[] { "csip", "msp-a", "msp-b", "msp-c", "stranger", "untrusted-csip" }
            .Concat(Enumerable.Range(1, 2000).Select(i => $"recipient-{i}"));
        foreach (var label in labels)
        {
            var seed = SHA256.HashData(Encoding.UTF8.GetBytes($"{RealRuns.FaultySeed}/{label}"));
            yield return ($"{label} seed (hex)", Convert.ToHexString(seed));
            yield return ($"{label} seed (base64)", Convert.ToBase64String(seed).TrimEnd('='));
            yield return ($"{label} seed (base64url)", B64.Encode(seed));
        }
    }

    [GeneratedRegex(@"""authorization""\s*:\s*""(?!\[redacted\])[^""]+""", RegexOptions.IgnoreCase)]
    private static partial Regex AuthorizationValue();

    [GeneratedRegex(@"Bearer\s+(?!\[redacted\]|\$)[A-Za-z0-9_-]{20,}")]
    private static partial Regex BearerValue();

    /// <summary>A test-control /clients answer whose credential survived, raw or JSON-escaped inside another document.</summary>
    [GeneratedRegex(@"\\?""credential\\?""\s*:\s*\\?""(?!\[redacted\])[A-Za-z0-9_-]{8,}")]
    private static partial Regex IssuedCredential();
}
