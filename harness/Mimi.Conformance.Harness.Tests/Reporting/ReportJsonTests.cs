using System.Text.Json;
using System.Text.Json.Nodes;
using FluentAssertions;
using Mimi.Conformance.Harness.Results;
using Mimi.Conformance.Reporting;
using Xunit;

namespace Mimi.Conformance.Harness.Tests.Reporting;

public sealed class ReportJsonTests
{
    [Fact]
    public void Round_trip_is_lossless()
    {
        var report = SampleReports.Create(complete: false);

        var json = ReportJson.Serialize(report);
        var back = ReportJson.Deserialize(json);

        back.Should().BeEquivalentTo(report, o => o.WithStrictOrdering());
        ReportJson.Serialize(back).Should().Be(json);
    }

    [Fact]
    public void Stream_and_file_round_trip_too()
    {
        var report = SampleReports.Create();
        using var stream = new MemoryStream();
        ReportWriter.Json.Write(report, stream);
        stream.Position = 0;
        ReportJson.Read(stream).Should().BeEquivalentTo(report, o => o.WithStrictOrdering());

        var path = Path.Combine(Path.GetTempPath(), "mimi-report-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            ReportWriter.Json.WriteFile(report, path);
            ReportJson.ReadFile(path).Should().BeEquivalentTo(report, o => o.WithStrictOrdering());
            File.ReadAllBytes(path).Take(3).Should().NotEqual(new byte[] { 0xEF, 0xBB, 0xBF }, "no BOM");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Uses_snake_case_names_and_string_verdicts()
    {
        var json = ReportJson.Serialize(SampleReports.Create());
        var root = JsonNode.Parse(json)!.AsObject();

        root["run"]!["suite_version"]!.GetValue<string>().Should().Be("0.1.0");
        root["run"]!["completeness"]!["complete"]!.GetValue<bool>().Should().BeTrue();
        root["summary"]!["verdict"]!.GetValue<string>().Should().Be("non-compliant");
        root["summary"]!["untested_must"]![0]!.GetValue<string>().Should().Be("LIFE-REISSUE-1");
        var requirements = root["requirements"]!.AsArray();
        requirements.Select(r => r!["verdict"]!.GetValue<string>()).Should()
            .Contain(["pass", "fail", "warn", "error", "not-applicable", "not-verifiable", "untested"]);
        requirements[0]!["tests"]![0]!["exchanges"]![0]!["cbor_diagnostic"]!.AsArray().Should().HaveCount(2);
        json.Should().Contain("\"response_truncated\"").And.Contain("\"elapsed_ms\"").And.Contain("\n  \"run\"", "indented");
    }

    [Fact]
    public void Hostile_text_survives_as_data()
    {
        var json = ReportJson.Serialize(SampleReports.Create());

        json.Should().Contain("\\u0001", "control characters are escaped in JSON strings");
        ReportJson.Deserialize(json).Requirements[1].Tests[0].Exchanges[0].ResponseBody.Should().Be(SampleReports.HostileBody);
    }

    [Fact]
    public void Html_embedding_escapes_angle_brackets_and_still_parses_to_the_same_report()
    {
        var report = SampleReports.Create();

        var embedded = ReportJson.SerializeForHtml(report);

        embedded.Should().NotContain("<").And.NotContain(">").And.NotContain("&").And.Contain("\\u003c");
        embedded.Should().NotContain("\u2028").And.NotContain("\u2029");
        ReportJson.Deserialize(embedded).Should().BeEquivalentTo(report, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Null_document_is_rejected()
    {
        var act = () => ReportJson.Deserialize("null");

        act.Should().Throw<JsonException>();
    }
}
