using FluentAssertions;
using Mimi.Conformance.Reporting;
using Xunit;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Harness.Tests.Reporting;

public sealed class ReportWriterTests
{
    [Fact]
    public void WriteAll_writes_every_report_file_and_nothing_else()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mimi-reports-" + Guid.NewGuid().ToString("N"), "run-1");
        try
        {
            var report = SampleReports.Create();

            var written = ReportWriter.WriteAll(report, directory);

            written.Select(Path.GetFileName).Should().Equal("report.json", "report.html", "junit.xml", "summary.md", "badge.svg");
            Directory.GetFiles(directory).Select(Path.GetFileName).Should().BeEquivalentTo(written.Select(Path.GetFileName), "no temp files are left");
            written.Should().OnlyContain(p => new FileInfo(p).Length > 0);
            ReportJson.ReadFile(Path.Combine(directory, "report.json")).Should().BeEquivalentTo(report, o => o.WithStrictOrdering());

            ReportWriter.WriteAll(report with { Summary = report.Summary with { Verdict = RunVerdict.Compliant, ExitCode = 0 } }, directory);
            File.ReadAllText(Path.Combine(directory, "badge.svg")).Should().Contain("compliant 2/10").And.NotContain("non-compliant", "files are replaced");
        }
        finally
        {
            var parent = Path.GetDirectoryName(directory)!;
            if (Directory.Exists(parent))
            {
                Directory.Delete(parent, recursive: true);
            }
        }
    }
}
