using System.Text.Json.Nodes;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using FluentAssertions;
using Mimi.Conformance.Reporting;
using Mimi.Conformance.Harness.Tests.Reporting;
using NJsonSchema;
using Mimi.Conformance.Harness.Results;

namespace Mimi.Conformance.Harness.Tests.Ci;

/// <summary>The files of a REAL run (reference DP with a fault) against their published schemas.</summary>
public sealed class RealReportFormatTests
{
    [Fact]
    public async Task Real_run_writes_every_report_file()
    {
        var run = await RealRuns.Faulty;

        foreach (var file in ReportWriter.FileNames)
            new FileInfo(Path.Combine(run.Directory, file)).Length.Should().BeGreaterThan(0, file);
        Directory.GetFiles(Path.Combine(run.Directory, AllureResultsWriter.DirectoryName), "*-result.json").Should().NotBeEmpty();
    }

    [Fact]
    public async Task Real_report_json_validates_against_the_schema_and_carries_run_metadata()
    {
        var run = await RealRuns.Faulty;
        var schema = await JsonSchema.FromFileAsync(RepoPaths.ReportSchema, TestContext.Current.CancellationToken);
        var json = await File.ReadAllTextAsync(Path.Combine(run.Directory, ReportJson.FileName), TestContext.Current.CancellationToken);

        schema.Validate(json).Select(e => e.ToString()).Should().BeEmpty();
        var report = ReportJson.Deserialize(json);
        report.Run.SuiteVersion.Should().NotBeNullOrEmpty();
        report.Run.ProfileVersion.Should().StartWith("mimi-dp-profile/");
        report.Run.Target.Should().StartWith("https://127.0.0.1:");
        report.Run.FinishedAt.Should().BeOnOrAfter(report.Run.StartedAt);
        report.Run.Completeness.Complete.Should().BeTrue();
        report.Run.Faults.Should().Equal(RealRuns.Fault);
        report.Summary.Verdict.Should().Be(RunVerdict.NonCompliant);
        report.Requirements.Single(r => r.Id == RealRuns.FaultyRequirement).Verdict.Should().Be(Results.Verdict.Fail);
    }

    [Fact]
    public async Task Real_junit_xml_validates_against_the_common_junit_xsd()
    {
        var run = await RealRuns.Faulty;
        var schemas = new XmlSchemaSet();
        schemas.Add(null, Path.Combine(RepoPaths.Root, "vectors", "schemas", "junit.xsd"));
        var errors = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schemas };
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity} line {e.Exception?.LineNumber}: {e.Message}");

        using (var reader = XmlReader.Create(Path.Combine(run.Directory, JUnitWriter.FileName), settings))
        {
            while (reader.Read())
            {
            }
        }

        errors.Should().BeEmpty();
        var doc = XDocument.Load(Path.Combine(run.Directory, JUnitWriter.FileName));
        doc.Descendants("testcase").Where(c => (string?)c.Attribute("classname") == RealRuns.FaultyRequirement)
            .Should().Contain(c => c.Element("failure") != null);
    }

    [Fact]
    public async Task The_junit_xsd_rejects_what_ci_servers_reject()
    {
        var run = await RealRuns.Faulty;
        var schemas = new XmlSchemaSet();
        schemas.Add(null, Path.Combine(RepoPaths.Root, "vectors", "schemas", "junit.xsd"));
        var doc = XDocument.Load(Path.Combine(run.Directory, JUnitWriter.FileName));
        doc.Descendants("testcase").First().Attribute("classname")!.Remove();

        var act = () => doc.Validate(schemas, null);

        act.Should().Throw<XmlSchemaValidationException>();
    }

    [Fact]
    public async Task Allure_results_follow_the_allure_result_format_with_exchange_attachments()
    {
        var run = await RealRuns.Faulty;
        var dir = Path.Combine(run.Directory, AllureResultsWriter.DirectoryName);
        var results = Directory.GetFiles(dir, "*-result.json").Select(f => JsonNode.Parse(File.ReadAllText(f))!.AsObject()).ToList();

        results.Select(r => r["status"]!.GetValue<string>()).Should().OnlyContain(s => new[] { "passed", "failed", "broken", "skipped" }.Contains(s));
        results.Should().OnlyContain(r => r["stage"]!.GetValue<string>() == "finished" && r["stop"]!.GetValue<long>() >= r["start"]!.GetValue<long>());
        results.Select(r => r["uuid"]!.GetValue<string>()).Should().OnlyHaveUniqueItems();
        results.Should().OnlyContain(r => r["labels"]!.AsArray().Any(l => l!["name"]!.GetValue<string>() == "suite")
            && r["labels"]!.AsArray().Any(l => l!["name"]!.GetValue<string>() == "severity"));
        var failed = results.Where(r => r["status"]!.GetValue<string>() == "failed").ToList();
        failed.Should().Contain(r => r["fullName"]!.GetValue<string>().StartsWith(RealRuns.FaultyRequirement + "/", StringComparison.Ordinal));
        var withAttachments = failed.First(r => r["fullName"]!.GetValue<string>().StartsWith(RealRuns.FaultyRequirement + "/", StringComparison.Ordinal));
        withAttachments["statusDetails"]!["message"]!.GetValue<string>().Should().StartWith("fail");
        var attachments = withAttachments["attachments"]!.AsArray();
        attachments.Should().NotBeEmpty();
        foreach (var a in attachments)
            File.Exists(Path.Combine(dir, a!["source"]!.GetValue<string>())).Should().BeTrue();
        File.ReadAllText(Path.Combine(dir, attachments[0]!["source"]!.GetValue<string>())).Should().Contain("POST https://127.0.0.1:");
    }
}
