using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using FluentAssertions;
using Mimi.Conformance.Cli.Execution;
using Mimi.Conformance.Protocol.Profile;

namespace Mimi.Conformance.Harness.Tests.Hardening;

/// <summary>No report file carries a private key, a token or an Authorization value.</summary>
public sealed partial class SecretsScanTests
{
    private const string Seed = "secrets-scan";

    [Fact]
    public async Task No_report_file_contains_a_private_key_or_credential()
    {
        var output = Directory.CreateTempSubdirectory("mimi-secrets-").FullName;
        try
        {
            // A failing run: failures carry reproducers and full evidence, the most a report ever holds.
            var request = new RunRequest(null, null, null, output, [], [], null, "must", ["accept-any-remover"], AllowTestControl: true,
                TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(300), Seed);
            var report = await ConformanceRun.ExecuteAsync(request, TimeProvider.System, TextWriter.Null, TestContext.Current.CancellationToken);
            report.Summary.ExitCode.Should().Be(1, "the fault breaks a MUST rule (PROF-RM-09) although its requirement is graded SHOULD");

            var secrets = SecretForms().ToList();
            var files = Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).ToList();
            files.Should().Contain(f => f.EndsWith("report.html", StringComparison.Ordinal));
            var leaks = new List<string>();
            foreach (var file in files)
            {
                var text = await File.ReadAllTextAsync(file);
                leaks.AddRange(secrets.Where(s => text.Contains(s.Form, StringComparison.OrdinalIgnoreCase)).Select(s => $"{Path.GetFileName(file)}: {s.What}"));
                leaks.AddRange(AuthorizationValue().Matches(text).Select(m => $"{Path.GetFileName(file)}: authorization value {m.Value[..Math.Min(40, m.Value.Length)]}"));
                if (text.Contains("PRIVATE KEY", StringComparison.Ordinal))
                    leaks.Add($"{Path.GetFileName(file)}: PEM private key");
            }
            leaks.Should().BeEmpty();
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>Every private seed the run's parties derive (SigningKey.FromLabel: SHA-256 of "seed/label"), in every text form.</summary>
    private static IEnumerable<(string What, string Form)> SecretForms()
    {
        var labels = new[] { "csip", "msp-a", "msp-b", "msp-c", "stranger", "untrusted-csip" }
            .Concat(Enumerable.Range(1, 400).Select(i => $"recipient-{i}"));
        foreach (var label in labels)
        {
            var seed = SHA256.HashData(Encoding.UTF8.GetBytes($"{Seed}/{label}"));
            yield return ($"{label} seed (hex)", Convert.ToHexString(seed));
            yield return ($"{label} seed (base64)", Convert.ToBase64String(seed).TrimEnd('='));
            yield return ($"{label} seed (base64url)", B64.Encode(seed));
        }
    }

    [GeneratedRegex(@"""authorization""\s*:\s*""(?!\[redacted\])[^""]+""", RegexOptions.IgnoreCase)]
    private static partial Regex AuthorizationValue();
}
